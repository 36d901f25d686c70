import Foundation
import Pipeline
import Queue
import Testing

/// The SQL views and the report on hand-written rows, so every figure is computed by hand.
@Suite struct ScoreRefCOCOReportTests {
  static let spec = """
    {"batch":4096,"box":"model","datasets":[{"name":"refcoco","splitBy":"unc"}],"grid":64,
    "imageRoot":"/i","locOrder":"yx","maxPixels":1000,"model":"baseline:box","perSplit":3,
    "referRoot":"/r","seed":0,"sentenceField":"raw","sentencesPerShard":10,
    "splits":[{"dataset":"refcoco","split":"val"},{"dataset":"refcoco","split":"testA"},
    {"dataset":"refcoco","split":"testB"}],"store":"postgres"}
    """

  /// (split, split_no, intersection, union, rec_hit, rec_unparsable); nil pixels = not scored.
  static let sentences: [(String, Int, Int?, Int?, Bool, Bool)] = [
    ("val", 0, 10, 20, true, false),
    // Both masks empty: the union is 0, the sentence's IoU counts 1 in gIoU.
    ("val", 0, 0, 0, false, false),
    ("val", 0, 30, 40, true, false),
    // Every union empty: no cIoU for the split, gIoU 1.
    ("testA", 1, 0, 0, false, false),
    ("testA", 1, 0, 0, false, true),
    ("testB", 2, 5, 10, true, false),
    // Recorded but not scored yet.
    ("testB", 2, nil, nil, false, false),
  ]

  static func makeJob() throws -> (PGConnection, Int64) {
    let connection = try TestEnvironment.connect()
    // One transaction enqueues, completes and fills the job: no worker of another suite ever
    // sees its (fake) shard, and result rows are accepted only from the transaction that
    // completes their shard (the queue_result_guard trigger).
    let id = try connection.transaction { connection in
      let job = NewJob(kind: ScoreRefCOCOSpec.kind, spec: spec, idempotencyKey: UUID().uuidString)
      let result = try WorkQueue(connection: connection).enqueue(job, store: PostgresBlobStore()) { sink in
        try sink.add(bytes: [1, 2, 3], digest: "sha256:report-test-\(UUID().uuidString)", questions: 7)
      }
      let id = result.jobID
      try connection.execute(
        "UPDATE shards SET state = 'done', finished_at = now() WHERE job_id = $1 AND idx = 0",
        [.int(id)])
      for (n, s) in sentences.enumerated() {
        try connection.execute(
          """
          INSERT INTO refcoco_subsets (job_id, ordinal, dataset, split_by, split, split_no, ref_id,
            sent_id, ann_id, image_id, image, sentence, idx)
          VALUES ($1, $2, 'refcoco', 'unc', $3, $4, $2, $2, 1, 1, 'a.jpg', 'thing', 0)
          """, [.int(id), .int(Int64(n)), .text(s.0), .int(Int64(s.1))])
        guard let i = s.2, let u = s.3 else { continue }
        try connection.execute(
          """
          INSERT INTO refcoco_sentence_metrics (job_id, ordinal, idx, intersection_px, union_px,
            gt_x1, gt_y1, gt_x2, gt_y2, rec_hit, box_source, questions, mask_questions, unparsable,
            rec_unparsable)
          VALUES ($1, $2, 0, $3, $4, 0, 0, 9, 9, $5, 'model', 3, 2, $6, $7)
          """,
          [
            .int(id), .int(Int64(n)), .int(Int64(i)), .int(Int64(u)), .bool(s.4), .int(s.5 ? 1 : 0),
            .bool(s.5),
          ])
      }
      return id
    }
    return (connection, id)
  }

  @Test func splitAndJobFiguresByHand() throws {
    let (connection, job) = try Self.makeJob()
    let report = try ScoreRefCOCOReport.load(job: job, connection: connection)
    #expect(report.splits.map(\.split) == ["val", "testA", "testB"])
    let (val, testA, testB) = (report.splits[0], report.splits[1], report.splits[2])
    // val: cIoU (10 + 0 + 30) / (20 + 0 + 40); gIoU (0.5 + 1 + 0.75) / 3; REC 2 of 3.
    #expect(val.ciou == 40.0 / 60.0)
    #expect(abs(val.giou! - 0.75) < 1e-15)
    #expect(abs(val.recAccuracy! - 2.0 / 3.0) < 1e-15)
    #expect(testA.ciou == nil)
    #expect(testA.giou == 1)
    #expect(testA.recAccuracy == 0)
    #expect(testA.recUnparsable == 1 && testA.unparsable == 1)
    #expect(testB.planned == 2 && testB.sentences == 1)
    #expect(testB.ciou == 0.5 && testB.giou == 0.5 && testB.recAccuracy == 1)
    // Means over the splits; testA has no cIoU and is left out of that one.
    #expect(abs(report.averageCIoU! - (2.0 / 3.0 + 0.5) / 2) < 1e-15)
    #expect(abs(report.averageGIoU! - (0.75 + 1 + 0.5) / 3) < 1e-15)
    #expect(abs(report.averageRecAccuracy! - (2.0 / 3.0 + 0 + 1) / 3) < 1e-15)
    #expect(report.sentences == 6 && report.planned == 7 && report.questions == 18)

    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
    let splits = try #require(object["splits"] as? [[String: Any]])
    #expect(splits[0]["ciou"] as? Double == 40.0 / 60.0)
    #expect(splits[1]["ciou"] is NSNull)
    #expect(splits[2]["sentences"] as? Int == 1)
    // The recorded subset, scored or not (ref_id = sent_id = ordinal in these rows).
    #expect(splits[0]["subset"] as? [[Int]] == [[0, 0], [1, 1], [2, 2]])
    #expect(splits[2]["subset"] as? [[Int]] == [[5, 5], [6, 6]])
    #expect(object["avg_ciou"] as? Double == report.averageCIoU)

    let text = report.text()
    // Table 3 row: avg 58.33, val 66.67, testA -, testB 50.00.
    #expect(text.contains("58.33    66.67    -        50.00"), "\(text)")
    // Table 6 row: val 66.67, testA 0.00, testB 100.00, Average 55.56.
    #expect(text.contains("66.67    0.00     100.00   55.56"), "\(text)")
    #expect(report.csv().contains(",refcoco,val,3,\(40.0 / 60.0),0.75,"))
  }

  @Test func sentenceViewCountsAnEmptyUnionAsOne() throws {
    let (connection, job) = try Self.makeJob()
    let rows = try connection.query(
      "SELECT ordinal, iou FROM refcoco_sentence_report WHERE job_id = $1 ORDER BY ordinal", [.int(job)])
    #expect((0..<rows.count).map { rows.double($0, 1) } == [0.5, 1, 0.75, 1, 1, 0.5])
  }

  @Test func aJobOfAnotherKindIsRefused() throws {
    let connection = try TestEnvironment.connect()
    let job = try WorkQueue(connection: connection).enqueue(
      NewJob(kind: "eval-re", spec: "{}", idempotencyKey: UUID().uuidString), store: PostgresBlobStore()
    ) { _ in }
    #expect(throws: PipelineError.self) {
      try ScoreRefCOCOReport.load(job: job.jobID, connection: connection)
    }
  }
}
