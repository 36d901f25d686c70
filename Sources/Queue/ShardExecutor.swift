public import Logging

/// Runs one claimed shard of the kinds a worker knows. Called on an executor thread (never on
/// the Swift concurrency pool), so it may block (libpq, BLAS, codecs).
public protocol ShardExecutor: Sendable {
  /// Returns the shard's output, or throws: a `ShardFailure` says whether to retry; any other
  /// error counts as retryable.
  func execute(_ shard: ClaimedShard, context: ExecutionContext) throws -> ShardOutput
}

/// What an executor gets besides the shard.
public struct ExecutionContext {
  /// The executor thread's own connection (for blob reads and writes).
  public let connection: PGConnection
  public let store: any BlobStore
  public let logger: Logger
  /// True once the lease is lost or the shutdown deadline passed: stop early, the result would
  /// be dropped anyway.
  public let isCancelled: @Sendable () -> Bool

  public init(
    connection: PGConnection, store: any BlobStore, logger: Logger,
    isCancelled: @escaping @Sendable () -> Bool
  ) {
    self.connection = connection
    self.store = store
    self.logger = logger
    self.isCancelled = isCancelled
  }
}
