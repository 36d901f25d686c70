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
  /// Remaining questions at the rate so far, while running.
  public var etaSeconds: Double?
  /// The first few dead shards' errors, `shard N: message`.
  public var errors: [String]
  /// The job's own error (set when it failed).
  public var error: String?
}
