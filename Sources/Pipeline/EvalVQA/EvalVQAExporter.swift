import Model
public import Queue

/// Streams an eval-vqa job's per-question rows in job order, a page of rows at a time: identity,
/// the prompt, the ground truth, the raw answer and its scores.
public struct EvalVQAExporter {
  public let connection: PGConnection
  /// Rows per query: memory stays bounded whatever the job's size.
  public var pageSize = 5000

  public init(connection: PGConnection) {
    self.connection = connection
  }

  @discardableResult
  public func export(job: Int64, to sink: OutputSink) throws -> Int {
    var written = 0
    var after = -1
    while true {
      let rows = try connection.query(
        """
        SELECT ordinal, question_id, image, question, prompt, answers::text, choices::text,
               answer_index, answer_type, answer, prediction, normalized, score, exact_score, unparsable
        FROM vqa_question_report WHERE job_id = $1 AND ordinal > $2 ORDER BY ordinal LIMIT $3
        """, [.int(job), .int(Int64(after)), .int(Int64(pageSize))])
      for r in 0..<rows.count {
        let fields = [
          #""ordinal":\#(rows.int(r, 0) ?? -1)"#, #""question_id":\#(jsonLiteral(rows.string(r, 1) ?? ""))"#,
          #""image":\#(jsonLiteral(rows.string(r, 2) ?? ""))"#,
          #""question":\#(jsonLiteral(rows.string(r, 3) ?? ""))"#,
          #""prompt":\#(jsonLiteral(rows.string(r, 4) ?? ""))"#, #""answers":\#(rows.string(r, 5) ?? "[]")"#,
          #""choices":\#(rows.string(r, 6) ?? "[]")"#,
          #""answer_index":\#(rows.int(r, 7).map(String.init) ?? "null")"#,
          #""answer_type":\#(jsonLiteral(rows.string(r, 8) ?? ""))"#,
          #""answer":\#(jsonLiteral(rows.string(r, 9) ?? ""))"#,
          #""prediction":\#(jsonLiteral(rows.string(r, 10) ?? ""))"#,
          #""normalized":\#(jsonLiteral(rows.string(r, 11) ?? ""))"#,
          #""score":\#(StatusReport.number(rows.double(r, 12)))"#,
          #""exact_score":\#(StatusReport.number(rows.double(r, 13)))"#,
          #""unparsable":\#(rows.bool(r, 14) == true)"#,
        ]
        sink.write("{" + fields.joined(separator: ",") + "}\n")
        after = rows.int(r, 0) ?? after
      }
      written += rows.count
      if rows.count < pageSize { break }
    }
    sink.flush()
    return written
  }
}
