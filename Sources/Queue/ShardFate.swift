/// What became of a shard reported as failed.
public enum ShardFate: Hashable, Sendable {
  /// Claimable again after this many seconds.
  case retrying(afterSeconds: Double)
  /// No attempts left, or not retryable: the error is kept on the shard.
  case dead
  /// The lease was no longer ours: nothing was changed.
  case rejected
}
