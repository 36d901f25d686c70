import Foundation

/// Capped exponential backoff with jitter, for reconnecting to PostgreSQL and for the delay before a
/// failed shard may be claimed again. Pure: the random source is passed in.
///
/// The delay after attempt `n` (1-based) is `min(maxDelay, initialDelay * multiplier^(n-1))`,
/// then scaled by a factor drawn uniformly from `[1 - jitter, 1]` so that many workers that lost the
/// database at once do not come back in lockstep.
public struct RetryPolicy: Sendable, Hashable {
  /// Seconds before the second attempt.
  public var initialDelay: Double
  /// Upper bound of any delay, in seconds.
  public var maxDelay: Double
  /// Growth of the delay per attempt.
  public var multiplier: Double
  /// Fraction (0...1) of each delay that is random.
  public var jitter: Double
  /// Attempts in total (the first included); `nil` retries forever.
  public var maxAttempts: Int?

  public init(
    initialDelay: Double, maxDelay: Double, multiplier: Double = 2, jitter: Double = 0.2,
    maxAttempts: Int?
  ) {
    self.initialDelay = max(0, initialDelay)
    self.maxDelay = max(0, maxDelay)
    self.multiplier = max(1, multiplier)
    self.jitter = min(1, max(0, jitter))
    self.maxAttempts = maxAttempts
  }

  /// Reconnecting: 8 attempts over about 13 s (0.1 s doubling to a 5 s cap).
  public static let `default` = RetryPolicy(initialDelay: 0.1, maxDelay: 5, maxAttempts: 8)
  /// A worker's controller: keeps trying for as long as it runs, never more than 10 s apart.
  public static let forever = RetryPolicy(initialDelay: 0.2, maxDelay: 10, maxAttempts: nil)
  /// Delay before a failed shard may be claimed again: 5 s doubling to 5 min.
  public static let shardRetry = RetryPolicy(initialDelay: 5, maxDelay: 300, maxAttempts: nil)

  /// Whether another attempt may follow attempt number `attempt` (1-based).
  public func allowsRetry(after attempt: Int) -> Bool {
    guard let maxAttempts else { return true }
    return attempt < maxAttempts
  }

  /// The delay in seconds after attempt `attempt` (1-based), `unitRandom` drawn from `[0, 1)`.
  public func delay(after attempt: Int, unitRandom: Double) -> Double {
    let exponent = Double(max(0, attempt - 1))
    // pow overflows to +inf for large exponents; min() then caps it.
    let base = min(maxDelay, initialDelay * pow(multiplier, exponent))
    let unit = min(1, max(0, unitRandom))
    return base * (1 - jitter + jitter * unit)
  }

  /// The delay in seconds after attempt `attempt`, jitter drawn from `generator`.
  public func delay(after attempt: Int, using generator: inout some RandomNumberGenerator)
    -> Double
  {
    delay(after: attempt, unitRandom: Double.random(in: 0..<1, using: &generator))
  }
}
