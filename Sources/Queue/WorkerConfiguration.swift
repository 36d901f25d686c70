import Foundation

/// A worker's settings; the `worker` command fills it from flags and the environment.
public struct WorkerConfiguration: Sendable {
  /// libpq URI or `key=value` string (empty: `PG*` variables and `~/.pgpass`).
  public var databaseURL: String
  /// The name in leases and the attempt history (default `hostname:pid:random`).
  public var owner: String
  /// The secret that binds this worker's leases to it (with its database login).
  public var token: String
  /// Only claim shards of these job kinds (nil: any kind).
  public var kinds: [String]?
  /// Shards executed at once (default: the number of cores).
  public var concurrency: Int
  /// Shards claimed ahead of a free executor.
  public var prefetch: Int
  /// Most shards per claim.
  public var claimBatch: Int
  /// Seconds between heartbeats (never more than a third of the shortest lease held).
  public var heartbeatInterval: Double
  /// Seconds between claims while idle (NOTIFY wakes the worker sooner).
  public var pollInterval: Double
  /// Exit 0 once nothing of this worker's kinds is claimable, awaiting a retry or running.
  public var exitWhenIdle: Bool
  /// With `exitWhenIdle`: exit after seeing only live leases of others for this many seconds
  /// (nil: wait for them).
  public var idleGrace: Double?
  /// Ask which shards are leased to this worker (owner and token) before the first claim.
  public var recoverOnStart: Bool
  /// The first connection's attempts and backoff (`--connect-attempts`).
  public var connectRetry: RetryPolicy
  /// Seconds running shards get to finish after a shutdown request.
  public var drainDeadline: Double
  /// Seconds a shard may execute before it is abandoned and failed for another attempt (nil: no
  /// limit). A call that never returns (a model server that hangs) otherwise holds its shard for
  /// as long as the worker heartbeats.
  public var executionTimeout: Double?
  /// Most completions per transaction.
  public var completionBatch: Int
  /// Seconds a finished shard waits for others to share its completing transaction.
  public var completionDelay: Double
  /// The NOTIFY channel to listen on.
  public var channel: String
  /// Backoff between reconnects of the controller and executor connections.
  public var reconnect: RetryPolicy
  /// Delay before a failed shard may be claimed again.
  public var shardRetry: RetryPolicy
  /// What `pg_stat_activity` shows for this worker's connections (unless the URL sets one).
  public var applicationName: String

  public init(databaseURL: String) {
    self.databaseURL = databaseURL
    self.owner = Self.defaultOwner()
    self.token = LeaseToken.process
    self.kinds = nil
    self.concurrency = max(1, ProcessInfo.processInfo.activeProcessorCount)
    self.prefetch = 0
    self.claimBatch = 16
    self.heartbeatInterval = 10
    self.pollInterval = 5
    self.exitWhenIdle = false
    self.idleGrace = nil
    self.recoverOnStart = true
    self.connectRetry = .default
    self.drainDeadline = 30
    self.executionTimeout = nil
    self.completionBatch = 16
    self.completionDelay = 0.05
    self.channel = WorkQueue.defaultChannel
    self.reconnect = .forever
    self.shardRetry = .shardRetry
    self.applicationName = "pixelprobe-worker"
  }

  /// `hostname:pid:random`: unique even for two workers in one process.
  public static func defaultOwner() -> String {
    let random = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    return "\(ProcessInfo.processInfo.hostName):\(getpid()):\(random)"
  }

  var machine: WorkerStateMachine.Configuration {
    WorkerStateMachine.Configuration(
      concurrency: concurrency, prefetch: prefetch, claimBatch: claimBatch,
      completionBatch: completionBatch, completionDelay: completionDelay,
      heartbeatInterval: heartbeatInterval, pollInterval: pollInterval,
      exitWhenIdle: exitWhenIdle, drainDeadline: drainDeadline,
      errorDelay: max(0.05, reconnect.initialDelay), executionTimeout: executionTimeout,
      idleGrace: idleGrace, recoverOnStart: recoverOnStart)
  }
}
