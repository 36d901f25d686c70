public import Foundation

/// A job's progress as `coordinator status` shows it.
public struct JobProgress: Sendable, Hashable {
  public var jobID: Int64
  public var kind: String
  /// `running`, `succeeded`, `failed` or `cancelled`.
  public var state: String
  public var totalShards: Int
  public var shardsAvailable: Int
  public var shardsRunning: Int
  /// Running shards whose lease has expired (their worker is gone or frozen): stranded until a
  /// worker claims them.
  public var leasesExpired: Int
  public var shardsDone: Int
  public var shardsFailed: Int
  public var shardsDead: Int
  public var shardsCancelled: Int
  public var totalQuestions: Int64
  public var questionsDone: Int64
  public var createdAt: Date
  public var startedAt: Date?
  public var finishedAt: Date?
  /// From the first claim to the end (or now).
  public var elapsedSeconds: Double?
  public var questionsPerSecond: Double?
  /// Remaining questions at the rate of the last `liveWindow` seconds, while running, only when
  /// something is moving (a live lease, or a shard available or awaiting its retry): a job
  /// whose last shards sit under expired leases has no ETA.
  public var etaSeconds: Double?
  /// The first few dead shards' errors, `shard N: message`.
  public var errors: [String]
  /// The job's own error (set when it failed).
  public var error: String?

  /// Seconds of recent completions the ETA's rate is measured over.
  public static let liveWindow = 60.0

  /// The ETA from live progress: questions done in the last `liveWindow` seconds (or since the
  /// start, if shorter), and only while some shard is live.
  public static func eta(
    state: String, remaining: Int64, recentQuestions: Int64, elapsed: Double?, liveShards: Int
  ) -> Double? {
    guard state == "running", remaining > 0, liveShards > 0, recentQuestions > 0,
      let elapsed, elapsed > 0
    else { return nil }
    return Double(remaining) / (Double(recentQuestions) / min(elapsed, liveWindow))
  }
}
