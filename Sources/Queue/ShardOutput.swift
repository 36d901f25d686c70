/// What running a shard produced. `writeResults` runs inside the transaction that marks the shard
/// done, and only if the lease still holds, so a worker that lost its lease writes nothing.
public struct ShardOutput: Sendable {
  public var outputDigest: String?
  public var outputSize: Int?
  /// Questions answered (added to the job's `questions_done`).
  public var questions: Int
  public var writeResults: @Sendable (PGConnection) throws -> Void

  public init(
    outputDigest: String? = nil, outputSize: Int? = nil, questions: Int,
    writeResults: @escaping @Sendable (PGConnection) throws -> Void = { _ in }
  ) {
    self.outputDigest = outputDigest
    self.outputSize = outputSize
    self.questions = questions
    self.writeResults = writeResults
  }
}

/// An executor's error with a verdict: `retryable` failures are tried again (while attempts are
/// left), others make the shard dead at once. Any other `Error` counts as retryable.
public struct ShardFailure: Error, CustomStringConvertible, Sendable {
  public var retryable: Bool
  /// Stable, short, e.g. `bad-image`, `missing-blob`.
  public var code: String
  public var message: String

  public init(retryable: Bool, code: String, message: String) {
    self.retryable = retryable
    self.code = code
    self.message = message
  }

  public var description: String { "\(code): \(message)" }

  /// The code of a failure caused by the database connection, not by the shard: the worker
  /// hands such a shard back without spending an attempt.
  public static let databaseCode = "database"
}

/// What became of a shard reported as failed.
public enum ShardFate: Hashable, Sendable {
  /// Claimable again after this many seconds.
  case retrying(afterSeconds: Double)
  /// No attempts left, or not retryable: the error is kept on the shard.
  case dead
  /// The lease was no longer ours: nothing was changed.
  case rejected
}
