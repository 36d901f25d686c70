public import Queue

/// The referring-segmentation tables of one score-refcoco job, read from the SQL views (every
/// figure here is a column of `refcoco_split_report` / `refcoco_job_report`). Ratios are
/// fractions in 0...1; the text layout prints percentages as the paper does.
public struct ScoreRefCOCOReport: Sendable {
  /// A sentence of the recorded subset.
  public struct SentenceID: Sendable, Equatable {
    public var refID: Int
    public var sentID: Int
  }

  public struct Split: Sendable, Equatable {
    public var dataset: String
    public var split: String
    /// The recorded subset of the split (`refcoco_subsets`), in job order.
    public var subset: [SentenceID]
    /// Sentences in the recorded subset, and those scored so far.
    public var planned: Int
    public var sentences: Int
    public var intersection: Int64
    public var union: Int64
    public var ciou: Double?
    public var giou: Double?
    public var recAccuracy: Double?
    public var questions: Int64
    public var maskQuestions: Int64
    public var unparsable: Int64
    public var recUnparsable: Int64
  }

  public var job: Int64
  public var state: String
  public var spec: ScoreRefCOCOSpec
  /// In the job's split order.
  public var splits: [Split]
  /// The mean of the splits' figures (the paper's "avg" / "Average" columns).
  public var averageCIoU: Double?
  public var averageGIoU: Double?
  public var averageRecAccuracy: Double?

  public var sentences: Int { splits.reduce(0) { $0 + $1.sentences } }
  public var planned: Int { splits.reduce(0) { $0 + $1.planned } }
  public var questions: Int64 { splits.reduce(0) { $0 + $1.questions } }
  public var unparsable: Int64 { splits.reduce(0) { $0 + $1.unparsable } }
  public var recUnparsable: Int64 { splits.reduce(0) { $0 + $1.recUnparsable } }

  public static func load(job: Int64, connection: PGConnection) throws -> ScoreRefCOCOReport {
    let jobs = try connection.query(
      "SELECT kind, state, spec::text FROM jobs WHERE id = $1", [.int(job)])
    guard jobs.count == 1 else { throw PipelineError(.notFound, "job \(job)", "no such job") }
    guard jobs.string(0, 0) == ScoreRefCOCOSpec.kind else {
      throw PipelineError(
        .unknownKind, "job \(job)", "is a \(jobs.string(0, 0) ?? "?") job, not score-refcoco")
    }
    let spec: ScoreRefCOCOSpec = try JobSpec.decode(jobs.string(0, 2) ?? "", job: job)
    let rows = try connection.query(
      """
      SELECT dataset, split, planned, sentences, intersection_px, union_px, ciou, giou, rec_acc,
             questions, mask_questions, unparsable, rec_unparsable
      FROM refcoco_split_report WHERE job_id = $1 ORDER BY split_no
      """, [.int(job)])
    let members = try connection.query(
      "SELECT dataset, split, ref_id, sent_id FROM refcoco_subsets WHERE job_id = $1 ORDER BY ordinal",
      [.int(job)])
    var subsets: [String: [SentenceID]] = [:]
    for r in 0..<members.count {
      let key = "\(members.string(r, 0) ?? ""):\(members.string(r, 1) ?? "")"
      subsets[key, default: []].append(
        SentenceID(refID: members.int(r, 2) ?? -1, sentID: members.int(r, 3) ?? -1))
    }
    let splits = (0..<rows.count).map { r in
      Split(
        dataset: rows.string(r, 0) ?? "", split: rows.string(r, 1) ?? "",
        subset: subsets["\(rows.string(r, 0) ?? ""):\(rows.string(r, 1) ?? "")"] ?? [],
        planned: rows.int(r, 2) ?? 0, sentences: rows.int(r, 3) ?? 0,
        intersection: rows.int64(r, 4) ?? 0, union: rows.int64(r, 5) ?? 0, ciou: rows.double(r, 6),
        giou: rows.double(r, 7), recAccuracy: rows.double(r, 8), questions: rows.int64(r, 9) ?? 0,
        maskQuestions: rows.int64(r, 10) ?? 0, unparsable: rows.int64(r, 11) ?? 0,
        recUnparsable: rows.int64(r, 12) ?? 0)
    }
    let averages = try connection.query(
      "SELECT avg_ciou, avg_giou, avg_rec_acc FROM refcoco_job_report WHERE job_id = $1",
      [.int(job)])
    let found = averages.count == 1
    return ScoreRefCOCOReport(
      job: job, state: jobs.string(0, 1) ?? "?", spec: spec, splits: splits,
      averageCIoU: found ? averages.double(0, 0) : nil,
      averageGIoU: found ? averages.double(0, 1) : nil,
      averageRecAccuracy: found ? averages.double(0, 2) : nil)
  }
}
