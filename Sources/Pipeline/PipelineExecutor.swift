public import Queue

/// The worker's executor: sends each claimed shard to the executor of its job kind.
public struct PipelineExecutor: ShardExecutor {
  public static let kinds = [
    GenPVPSpec.kind, EvalRESpec.kind, ScoreRefCOCOSpec.kind, GameSpec.playKind, GameSpec.genKind,
    EvalVQASpec.kind,
  ]

  public var imageRootOverride: String?

  public init(imageRootOverride: String? = nil) {
    self.imageRootOverride = imageRootOverride
  }

  public func execute(_ shard: ClaimedShard, context: ExecutionContext) throws -> ShardOutput {
    switch shard.kind {
    case GenPVPSpec.kind:
      return try GenPVPExecutor(imageRootOverride: imageRootOverride).execute(
        shard, context: context)
    case EvalRESpec.kind:
      return try EvalREExecutor().execute(shard, context: context)
    case ScoreRefCOCOSpec.kind:
      return try ScoreRefCOCOExecutor().execute(shard, context: context)
    case GameSpec.playKind, GameSpec.genKind:
      return try GameExecutor().execute(shard, context: context)
    case EvalVQASpec.kind:
      return try EvalVQAExecutor().execute(shard, context: context)
    default:
      throw ShardFailure(
        retryable: true, code: "unknown-kind",
        message: "job \(shard.jobID) shard \(shard.index): this worker cannot run \(shard.kind)")
    }
  }
}
