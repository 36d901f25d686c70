import Foundation
public import Model
public import Queue

/// The paper's Table 2 / Table 8 row per model, assembled from the jobs that measured it: RE
/// from an eval-re job, the average REC accuracy from a score-refcoco job, the five VQA
/// accuracies from eval-vqa jobs. Models are matched by their URI.
public struct Table2Report: Sendable {
  public struct Row: Sendable, Equatable {
    public var model: String
    public var re: Double?
    /// Fractions in 0...1.
    public var rec: Double?
    public var vqa: [VQABenchmark: Double]
    public var jobs: [Int64]
  }

  public var rows: [Row]

  /// The paper's rows: (label, RE, average REC %, GQA, VSR, IconVQA, VizWiz, HM).
  public static let paperRows: [(String, [Double])] = [
    ("paper Table 2: ViT frozen", [20.38, 77.2, 55.5, 56.7, 49.7, 53.7, 57.6]),
    ("paper Table 2: ViT adapted", [6.65, 82.3, 56.2, 56.7, 49.6, 53.22, 57.6]),
    ("paper Table 8: stage 1", [20.27, 76.8, 55.5, 56.3, 49.5, 40.1, 55.2]),
    ("paper Table 8: stage 2", [6.65, 82.3, 56.2, 56.7, 49.6, 53.22, 57.6]),
    ("paper Table 8: stage 3", [6.59, 83.2, 57.7, 59.2, 49.7, 56.4, 57.2]),
  ]

  public static func load(jobs: [Int64], connection: PGConnection) throws -> Table2Report {
    var rows: [Row] = []
    var filled: [String: Int64] = [:]
    func row(_ model: String) -> Int {
      if let index = rows.firstIndex(where: { $0.model == model }) { return index }
      rows.append(Row(model: model, re: nil, rec: nil, vqa: [:], jobs: []))
      return rows.count - 1
    }
    func claim(_ model: String, _ column: String, _ job: Int64) throws {
      if let earlier = filled["\(model)\u{0}\(column)"] {
        throw PipelineError(
          .badOption, "job \(job)",
          "\(model) already has its \(column) from job \(earlier): give one job per column")
      }
      filled["\(model)\u{0}\(column)"] = job
    }
    for job in jobs {
      let kind = try JobKindLookup.kind(of: job, connection: connection)
      switch kind {
      case EvalRESpec.kind:
        let report = try REReport.load(job: job, connection: connection)
        let index = row(report.model.model)
        try claim(report.model.model, "RE", job)
        rows[index].re = report.model.rePercent
        rows[index].jobs.append(job)
      case ScoreRefCOCOSpec.kind:
        let report = try ScoreRefCOCOReport.load(job: job, connection: connection)
        let index = row(report.spec.model)
        try claim(report.spec.model, "REC", job)
        rows[index].rec = report.averageRecAccuracy
        rows[index].jobs.append(job)
      case EvalVQASpec.kind:
        let report = try EvalVQAReport.load(job: job, connection: connection)
        let index = row(report.spec.model)
        try claim(report.spec.model, report.spec.benchmark.title, job)
        rows[index].vqa[report.spec.benchmark] = report.accuracy
        rows[index].jobs.append(job)
      default:
        throw PipelineError(
          .unknownKind, "job \(job)",
          "is a \(kind) job; Table 2 takes eval-re, score-refcoco and eval-vqa jobs")
      }
    }
    return Table2Report(rows: rows)
  }

  static func value(_ value: Double?, scale: Double, digits: Int = 2) -> String {
    guard let value, value.isFinite else { return "-" }
    return String(format: "%.\(digits)f", value * scale)
  }

  public func text() -> String {
    let labelWidth = max(30, (rows.map(\.model.count).max() ?? 0) + 2)
    let width = 9
    let header =
      StatusReport.pad("MODEL", labelWidth) + StatusReport.pad("RE", width) + StatusReport.pad("REC", width)
      + VQABenchmark.allCases.map { StatusReport.pad($0.title, width) }.joined()
    var lines = [
      "Table 2: RE (lower is better), average REC accuracy %, VQA top-1 accuracy % (higher is better)",
      header.trimmingTrailingSpaces(),
    ]
    for row in rows {
      let cells =
        [Self.value(row.re, scale: 1), Self.value(row.rec, scale: 100)]
        + VQABenchmark.allCases.map { Self.value(row.vqa[$0], scale: 100) }
      lines.append(
        (StatusReport.pad(row.model, labelWidth) + cells.map { StatusReport.pad($0, width) }.joined())
          .trimmingTrailingSpaces())
    }
    lines.append("")
    lines.append("For reference, the paper's rows (MiniGPT-v2-sized models on the full benchmarks):")
    for (label, values) in Self.paperRows {
      lines.append(
        (StatusReport.pad(label, labelWidth)
          + values.map { StatusReport.pad(Self.value($0, scale: 1), width) }.joined())
          .trimmingTrailingSpaces())
    }
    lines.append(
      "jobs: "
        + rows.map { "\($0.model): \($0.jobs.map(String.init).joined(separator: ","))" }.joined(
          separator: "; "))
    return lines.joined(separator: "\n") + "\n"
  }
}
