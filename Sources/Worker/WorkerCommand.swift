import ArgumentParser
import CommandSupport
import Foundation
import Pipeline
import Queue

@main
struct WorkerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "worker",
    abstract: "Claim shards from PostgreSQL, run them, and write their results back.",
    discussion: """
      Stateless: run as many as you like, anywhere that reaches the database (and, for gen-pvp, \
      sees the image corpus). A shard is held under a lease renewed by heartbeats; a worker that \
      dies simply lets the lease expire and another worker takes the shard over. SIGTERM or \
      SIGINT stops claiming, lets running shards finish until --drain-seconds, hands back the \
      rest, and exits 0. A shard that runs longer than --shard-timeout is failed for another \
      attempt; if every executor is stuck that way the worker exits 75 for its supervisor to \
      restart it. \
      The database comes from $DATABASE_URL (or --database-url, which `ps` shows to everyone: \
      keep passwords out of it) and libpq's PG* variables and ~/.pgpass.
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Option(help: "Shards run at once (default: the number of cores).")
  var concurrency: Int = ProcessInfo.processInfo.activeProcessorCount
  @Option(
    parsing: .upToNextOption,
    help: "Only claim shards of these job kinds (default: every kind this worker knows).")
  var kinds: [String] = []
  @Flag(
    help:
      "Exit 0 once nothing of my kinds is claimable, failed awaiting a retry, or running (for Slurm arrays and Kubernetes Jobs); while others hold leases, wait and take over any that expire."
  )
  var exitWhenIdle = false
  @Option(
    help:
      "With --exit-when-idle: exit after seeing only live leases held by other workers for this many seconds (default: wait until they end)."
  )
  var idleGrace: Double?
  @Option(help: "Where this machine sees the image corpus, if not where the coordinator saw it.")
  var imageRoot: String?
  @Option(help: "Seconds to let running shards finish after SIGTERM before handing them back.")
  var drainSeconds: Double = 30
  @Option(help: "Name of this worker in leases and logs (default: host:pid).")
  var name: String?
  @Option(help: "Seconds a shard may run before it is failed for another attempt (default: no limit).")
  var shardTimeout: Double?
  @Option(help: "Seconds before a failed shard may be tried again (doubling per attempt, at most 300).")
  var retryDelay: Double = 5
  @Option(help: "Seconds between claims while idle (a notification from enqueue wakes it sooner).")
  var pollSeconds: Double = 5
  @Option(help: "Shards claimed ahead of a free executor, so the next starts without a round trip.")
  var prefetch: Int = 0

  func validate() throws {
    guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
    if let shardTimeout, !(shardTimeout > 0) {
      throw ValidationError("--shard-timeout must be more than 0 seconds")
    }
    guard retryDelay >= 0 else { throw ValidationError("--retry-delay must not be negative") }
    guard pollSeconds > 0 else { throw ValidationError("--poll-seconds must be more than 0") }
    guard prefetch >= 0 else { throw ValidationError("--prefetch must not be negative") }
    if let idleGrace {
      guard idleGrace >= 0 else { throw ValidationError("--idle-grace must not be negative") }
      guard exitWhenIdle else { throw ValidationError("--idle-grace needs --exit-when-idle") }
    }
    let unknown = kinds.filter { !PipelineExecutor.kinds.contains($0) }
    guard unknown.isEmpty else {
      throw ValidationError(
        "--kinds: unknown job kind(s) \(unknown.joined(separator: ", ")); known: \(PipelineExecutor.kinds.joined(separator: ", "))"
      )
    }
  }

  func run() throws {
    try reportingErrors("worker") {
      let logger = logging.makeLogger(label: "worker")
      var configuration = WorkerConfiguration(databaseURL: database.resolved)
      configuration.kinds = kinds.isEmpty ? PipelineExecutor.kinds : kinds
      configuration.concurrency = concurrency
      configuration.exitWhenIdle = exitWhenIdle
      configuration.idleGrace = idleGrace
      configuration.connectRetry = database.retryPolicy
      configuration.drainDeadline = drainSeconds
      configuration.executionTimeout = shardTimeout
      configuration.pollInterval = pollSeconds
      configuration.prefetch = prefetch
      configuration.shardRetry = RetryPolicy(
        initialDelay: retryDelay, maxDelay: max(retryDelay, 300), maxAttempts: nil)
      if let name { configuration.owner = name }
      let runtime = WorkerRuntime(
        configuration: configuration,
        executor: PipelineExecutor(imageRootOverride: imageRoot),
        store: PostgresBlobStore(), logger: logger)
      let signals = SignalWatcher(signals: [SIGTERM, SIGINT]) { runtime.requestShutdown() }
      let code = try runtime.run()
      withExtendedLifetime(signals) {}
      if runtime.leftExecutorsRunning {
        // Exit-time teardown under a thread still inside a model call can crash the process
        // (SIGABRT instead of the exit code): flush and end it at once.
        fflush(nil)
        _exit(code)
      }
      if code != 0 { throw ExitCode(code) }
    }
  }
}
