import Model
public import Queue

/// Streams a score-refcoco job's per-sentence rows, in job order: the sentence's identity, the
/// pixel counts and the boxes — enough to recompute cIoU, gIoU and REC accuracy elsewhere.
public struct ScoreRefCOCOExporter {
  public let connection: PGConnection

  public init(connection: PGConnection) {
    self.connection = connection
  }

  static let columns = """
    dataset, split, ref_id, sent_id, ann_id, image, sentence, intersection_px, union_px, iou,
    gt_x1, gt_y1, gt_x2, gt_y2, pred_x1, pred_y1, pred_x2, pred_y2, box_iou, rec_hit, box_source,
    mask_x1, mask_y1, mask_x2, mask_y2, questions, mask_questions, unparsable, rec_unparsable
    """

  @discardableResult
  public func export(job: Int64, to sink: OutputSink) throws -> Int {
    let rows = try connection.query(
      "SELECT \(Self.columns) FROM refcoco_sentence_report WHERE job_id = $1 ORDER BY ordinal",
      [.int(job)])
    func box(_ r: Int, _ first: Int) -> String {
      let values = (first..<(first + 4)).map { rows.double(r, $0) }
      guard values.allSatisfy({ $0 != nil }) else { return "null" }
      return "[" + values.map { StatusReport.number($0) }.joined(separator: ",") + "]"
    }
    for r in 0..<rows.count {
      let fields = [
        #""dataset":\#(jsonLiteral(rows.string(r, 0) ?? ""))"#,
        #""split":\#(jsonLiteral(rows.string(r, 1) ?? ""))"#,
        #""ref_id":\#(rows.int(r, 2) ?? -1)"#, #""sent_id":\#(rows.int(r, 3) ?? -1)"#,
        #""ann_id":\#(rows.int(r, 4) ?? -1)"#, #""image":\#(jsonLiteral(rows.string(r, 5) ?? ""))"#,
        #""sentence":\#(jsonLiteral(rows.string(r, 6) ?? ""))"#,
        #""intersection":\#(rows.int64(r, 7) ?? 0)"#, #""union":\#(rows.int64(r, 8) ?? 0)"#,
        #""iou":\#(StatusReport.number(rows.double(r, 9)))"#,
        #""gt_box":\#(box(r, 10))"#, #""pred_box":\#(box(r, 14))"#,
        #""box_iou":\#(StatusReport.number(rows.double(r, 18)))"#,
        #""rec_hit":\#(rows.bool(r, 19) == true)"#,
        #""box_source":\#(jsonLiteral(rows.string(r, 20) ?? ""))"#, #""mask_box":\#(box(r, 21))"#,
        #""questions":\#(rows.int(r, 25) ?? 0)"#, #""mask_questions":\#(rows.int(r, 26) ?? 0)"#,
        #""unparsable":\#(rows.int(r, 27) ?? 0)"#,
        #""rec_unparsable":\#(rows.bool(r, 28) == true)"#,
      ]
      sink.write("{" + fields.joined(separator: ",") + "}\n")
    }
    sink.flush()
    return rows.count
  }
}
