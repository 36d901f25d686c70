import Foundation
import Model
public import Queue

/// An eval-vqa job's figures, from the views `vqa_job_report` and `vqa_type_report`.
public struct EvalVQAReport: Sendable {
  public struct TypeFigures: Sendable, Equatable {
    public var answerType: String
    public var planned: Int
    public var questions: Int
    public var accuracy: Double?
    public var exactAccuracy: Double?
    public var unparsable: Int
  }

  public var job: Int64
  public var state: String
  public var spec: EvalVQASpec
  public var planned: Int
  public var questions: Int
  /// Fractions in 0...1 over the scored questions; nil before any is scored.
  public var accuracy: Double?
  public var exactAccuracy: Double?
  public var unparsable: Int
  public var empty: Int
  public var types: [TypeFigures]

  public static func load(job: Int64, connection: PGConnection) throws -> EvalVQAReport {
    let jobs = try connection.query("SELECT kind, state, spec::text FROM jobs WHERE id = $1", [.int(job)])
    guard jobs.count == 1 else { throw PipelineError(.notFound, "job \(job)", "no such job") }
    guard jobs.string(0, 0) == EvalVQASpec.kind else {
      throw PipelineError(.unknownKind, "job \(job)", "is a \(jobs.string(0, 0) ?? "?") job, not eval-vqa")
    }
    let spec: EvalVQASpec = try JobSpec.decode(jobs.string(0, 2) ?? "", job: job)
    let figures = try connection.query(
      "SELECT planned, questions, accuracy, exact_accuracy, unparsable, empty FROM vqa_job_report WHERE job_id = $1",
      [.int(job)])
    let types = try connection.query(
      """
      SELECT answer_type, planned, questions, accuracy, exact_accuracy, unparsable
      FROM vqa_type_report WHERE job_id = $1 ORDER BY answer_type
      """, [.int(job)])
    return EvalVQAReport(
      job: job, state: jobs.string(0, 1) ?? "?", spec: spec, planned: figures.int(0, 0) ?? 0,
      questions: figures.int(0, 1) ?? 0, accuracy: figures.double(0, 2), exactAccuracy: figures.double(0, 3),
      unparsable: figures.int(0, 4) ?? 0, empty: figures.int(0, 5) ?? 0,
      types: (0..<types.count).map { r in
        TypeFigures(
          answerType: types.string(r, 0) ?? "", planned: types.int(r, 1) ?? 0,
          questions: types.int(r, 2) ?? 0,
          accuracy: types.double(r, 3), exactAccuracy: types.double(r, 4), unparsable: types.int(r, 5) ?? 0)
      })
  }

  static func percent(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "-" }
    return String(format: "%.2f", value * 100)
  }

  /// How the subset was chosen, in words.
  var subsetText: String {
    let count = "\(spec.questions) of the file's \(spec.available) questions"
    guard spec.limit != nil, spec.questions < spec.available else { return "every question (\(count))" }
    if let seed = spec.seed { return "\(count), drawn with seed \(seed)" }
    return "the first \(count) in file order"
  }

  public func text() -> String {
    var lines = [
      "eval-vqa job \(job) (\(state)): \(spec.benchmark.title), \(spec.model)",
      "  data \(spec.data), images under \(spec.imageRoot)",
      "  subset: \(subsetText), over \(spec.images) images; recorded in vqa_questions",
      "  \(questions) of \(planned) questions scored, \(unparsable) unparsable, \(empty) empty",
      "",
      "  top-1 accuracy % \(Self.percent(accuracy))   (normalised answers; MiniGPT-v2's literal rule: \(Self.percent(exactAccuracy)))",
    ]
    if spec.model == "baseline:prior" {
      lines.append("  baseline:prior answers \"\(spec.prior)\" to every question")
    }
    if types.count > 1 || types.first?.answerType.isEmpty == false {
      lines.append("")
      lines.append(
        StatusReport.pad("ANSWER TYPE", 24) + StatusReport.pad("QUESTIONS", 11) + StatusReport.pad("ACC %", 9)
          + StatusReport.pad("EXACT %", 9) + "UNPARSABLE")
      for type in types {
        lines.append(
          StatusReport.pad(type.answerType.isEmpty ? "(none)" : type.answerType, 24)
            + StatusReport.pad("\(type.questions)/\(type.planned)", 11)
            + StatusReport.pad(Self.percent(type.accuracy), 9)
            + StatusReport.pad(Self.percent(type.exactAccuracy), 9) + "\(type.unparsable)")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  public func json() -> String {
    let typeItems = types.map { type in
      "{"
        + [
          #""answer_type":\#(jsonLiteral(type.answerType))"#, #""planned":\#(type.planned)"#,
          #""questions":\#(type.questions)"#,
          #""accuracy_percent":\#(StatusReport.number(type.accuracy.map { $0 * 100 }))"#,
          #""exact_accuracy_percent":\#(StatusReport.number(type.exactAccuracy.map { $0 * 100 }))"#,
          #""unparsable":\#(type.unparsable)"#,
        ].joined(separator: ",") + "}"
    }
    let fields = [
      #""job":\#(job)"#, #""kind":"eval-vqa""#, #""state":\#(jsonLiteral(state))"#,
      #""benchmark":\#(jsonLiteral(spec.benchmark.rawValue))"#, #""model":\#(jsonLiteral(spec.model))"#,
      #""data":\#(jsonLiteral(spec.data))"#, #""available":\#(spec.available)"#,
      #""limit":\#(spec.limit.map(String.init) ?? "null")"#,
      #""seed":\#(spec.seed.map(String.init) ?? "null")"#,
      #""planned":\#(planned)"#, #""questions":\#(questions)"#, #""images":\#(spec.images)"#,
      #""accuracy_percent":\#(StatusReport.number(accuracy.map { $0 * 100 }))"#,
      #""exact_accuracy_percent":\#(StatusReport.number(exactAccuracy.map { $0 * 100 }))"#,
      #""unparsable":\#(unparsable)"#, #""empty":\#(empty)"#, #""prior":\#(jsonLiteral(spec.prior))"#,
      #""answer_types":[\#(typeItems.joined(separator: ","))]"#,
    ]
    return "{" + fields.joined(separator: ",") + "}\n"
  }

  public func csv() -> String {
    var lines = ["benchmark,model,answer_type,planned,questions,accuracy,exact_accuracy,unparsable"]
    func field(_ text: String) -> String {
      text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
        ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
    let prefix = "\(spec.benchmark.rawValue),\(field(spec.model))"
    lines.append(
      "\(prefix),all,\(planned),\(questions),\(StatusReport.number(accuracy)),\(StatusReport.number(exactAccuracy)),\(unparsable)"
    )
    for type in types {
      lines.append(
        "\(prefix),\(field(type.answerType)),\(type.planned),\(type.questions),\(StatusReport.number(type.accuracy)),\(StatusReport.number(type.exactAccuracy)),\(type.unparsable)"
      )
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
