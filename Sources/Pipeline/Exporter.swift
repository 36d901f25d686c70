public import Queue

/// `coordinator export`: finds the job's kind and streams its records in that kind's format.
public struct Exporter {
  public let connection: PGConnection

  public init(connection: PGConnection) {
    self.connection = connection
  }

  @discardableResult
  public func export(
    job: Int64, format: ExportFormat, order: GenPVPExportOrder? = nil, to sink: OutputSink
  ) throws -> Int {
    let rows = try connection.query("SELECT kind, spec::text FROM jobs WHERE id = $1", [.int(job)])
    guard rows.count == 1, let kind = rows.string(0, 0), let json = rows.string(0, 1) else {
      throw PipelineError(.notFound, "job \(job)", "no such job")
    }
    switch kind {
    case GenPVPSpec.kind:
      let spec: GenPVPSpec = try JobSpec.decode(json, job: job)
      return try GenPVPExporter(connection: connection).export(
        job: job, spec: spec, format: format, order: order ?? .index, to: sink)
    case _ where order != nil:
      throw PipelineError(.badOption, "--order", "applies to gen-pvp jobs only (job \(job) is \(kind))")
    case EvalRESpec.kind:
      guard format == .jsonl else {
        throw PipelineError(.badOption, "--format", "eval-re jobs export as jsonl only")
      }
      let spec: EvalRESpec = try JobSpec.decode(json, job: job)
      return try REExporter(connection: connection).export(job: job, spec: spec, to: sink)
    case ScoreRefCOCOSpec.kind:
      guard format == .jsonl else {
        throw PipelineError(.badOption, "--format", "score-refcoco jobs export as jsonl only")
      }
      return try ScoreRefCOCOExporter(connection: connection).export(job: job, to: sink)
    case GameSpec.genKind, GameSpec.playKind:
      guard format == .jsonl else {
        throw PipelineError(.badOption, "--format", "\(kind) jobs export as jsonl only")
      }
      let spec: GameSpec = try JobSpec.decode(json, job: job)
      return try GameExporter(connection: connection).export(job: job, kind: kind, spec: spec, to: sink)
    case EvalVQASpec.kind:
      guard format == .jsonl else {
        throw PipelineError(.badOption, "--format", "eval-vqa jobs export as jsonl only")
      }
      return try EvalVQAExporter(connection: connection).export(job: job, to: sink)
    default:
      throw PipelineError(.unknownKind, "job \(job)", "cannot export jobs of kind \(kind)")
    }
  }
}
