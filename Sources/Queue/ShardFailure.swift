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
