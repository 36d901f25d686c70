import ArgumentParser
import Dispatch
import Foundation
import Logging
import Queue
import Synchronization

/// `pixelprobe-bench load`: many worker processes doing empty work against one PostgreSQL. Each
/// worker is this binary's `load-worker`, the real `WorkerRuntime` (claim, heartbeat, batched
/// completion, exit when idle) with an executor that does nothing, on a job kind of its own
/// (`bench-noop`) in a scratch schema. Prints shards/s, errors, lock waits sampled from
/// pg_stat_activity and pg_locks while the workers run, and the size of the schema before and
/// after `prune`.
struct LoadBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "load",
    abstract: "Drain N empty shards with W worker processes; print shards/s, errors, lock waits, sizes.")

  @Option(help: "libpq URL (default: $DATABASE_URL).")
  var databaseURL: String?
  @Option(help: "Shards to enqueue and drain.")
  var shards = 100_000
  @Option(help: "Worker processes.")
  var workers = 64
  @Option(help: "Executors per worker.")
  var concurrency = 1
  @Option(help: "Shards a worker claims ahead of its free executors.")
  var prefetch = 0
  @Option(help: "Seconds between samples of pg_stat_activity and pg_locks.")
  var sampleInterval = 0.1
  @Option(help: "The migrations directory (default: found as the coordinator finds it).")
  var migrations: String?
  @Flag(help: "Keep the scratch schema (bench_load_PID) afterwards.")
  var keep = false

  func run() throws {
    guard let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"] else {
      throw ValidationError("give --database-url or set DATABASE_URL")
    }
    guard shards >= 1, workers >= 1, concurrency >= 1, prefetch >= 0, sampleInterval > 0 else {
      throw ValidationError("--shards, --workers and --concurrency must be at least 1")
    }
    var logger = Logger(label: "bench")
    logger.logLevel = .warning
    guard let directory = Migrator.locateDirectory(explicit: migrations) else {
      throw ValidationError("no migrations directory found; pass --migrations DIR")
    }
    let admin = try PGConnection.connect(url: url, logger: logger)
    let maxConnections = try admin.query("SHOW max_connections").string(0, 0) ?? "?"
    let schema = "bench_load_\(getpid())"
    // A schema name cannot be a bound parameter; this one is made of digits we chose.
    try admin.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
    try admin.execute("CREATE SCHEMA \(schema)")
    defer { if !keep { _ = try? admin.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE") } }
    let scoped = QueueBenchmark.withSearchPath(url, schema)
    let setup = try PGConnection.connect(url: scoped, logger: logger)
    try Migrator(directory: directory, logger: logger).migrate(on: setup)
    let sizes = SchemaSizes(connection: setup, schema: schema)
    let empty = try sizes.measure()

    let clock = ContinuousClock()
    let enqueueStart = clock.now
    let count = shards
    let digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    let job = try WorkQueue(connection: setup).enqueue(
      NewJob(kind: LoadWorkerCommand.kind, spec: "{}", leaseSeconds: 30), store: PostgresBlobStore()
    ) { sink in
      for _ in 0..<count { try sink.add(bytes: [], digest: digest, questions: 1) }
    }.jobID
    let enqueueSeconds = (clock.now - enqueueStart).seconds
    try setup.execute("ANALYZE")
    let enqueued = try sizes.measure()

    print(
      "load: \(count) shards, \(workers) worker processes x \(concurrency) executor(s), prefetch \(prefetch); max_connections \(maxConnections)"
    )
    print("load: enqueued in \(String(format: "%.2f", enqueueSeconds)) s")

    let logs = NSTemporaryDirectory() + "pixelprobe-load-\(getpid())"
    try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: logs) }
    let sampler = LockSampler(url: scoped, interval: sampleInterval, logger: logger)
    let cpuBefore = DistributedRun.childCPU()
    let drainStart = clock.now
    sampler.start()
    let processes = try (0..<workers).map { n in
      try launchWorker(number: n, url: scoped, log: "\(logs)/worker-\(n).log")
    }
    var failedExits = 0
    for process in processes {
      process.waitUntilExit()
      if process.terminationStatus != 0 { failedExits += 1 }
    }
    let drainSeconds = (clock.now - drainStart).seconds
    let samples = sampler.stop()
    let workerCPU = DistributedRun.childCPU() - cpuBefore

    // Errors: worker exits, logged failures, and the queue's own account of the job.
    var loggedFailures = 0
    for n in 0..<workers {
      let text = (try? String(contentsOfFile: "\(logs)/worker-\(n).log", encoding: .utf8)) ?? ""
      loggedFailures +=
        text.split(separator: "\n").filter {
          $0.contains("failed") || $0.contains("error") || $0.contains("lost")
        }.count
    }
    let check = try setup.query(
      """
      SELECT j.state, j.shards_done, j.questions_done,
        (SELECT count(*) FROM shard_attempts a WHERE a.job_id = j.id AND a.outcome = 'completed'),
        (SELECT count(*) FROM shard_attempts a WHERE a.job_id = j.id AND a.outcome <> 'completed'),
        (SELECT count(*) FROM (SELECT idx FROM shard_attempts a WHERE a.job_id = j.id
           AND a.outcome = 'completed' GROUP BY idx HAVING count(*) > 1) t)
      FROM jobs j WHERE j.id = $1
      """, [.int(job)])
    let drained = try sizes.measure()
    let report = try WorkQueue(connection: setup).prune(olderThan: 0, dryRun: false)
    let pruned = try sizes.measure()
    try WorkQueue(connection: setup).vacuum()
    let vacuumed = try sizes.measure()

    print(
      "load: drained in \(String(format: "%.2f", drainSeconds)) s: "
        + String(format: "%.0f shards/s", Double(count) / drainSeconds)
        + String(
          format: "; worker CPU %.1f s (%.0f µs per shard)", workerCPU, workerCPU / Double(count) * 1e6))
    print(
      "load: job \(check.string(0, 0) ?? "?"), shards_done \(check.int(0, 1) ?? -1), completed attempts \(check.int(0, 3) ?? -1), other attempts \(check.int(0, 4) ?? -1), shards completed twice \(check.int(0, 5) ?? -1)"
    )
    print(
      "load: errors: \(failedExits) worker exit(s) not 0, \(loggedFailures) failure line(s) in worker logs")
    print("load: " + samples.summary)
    print(
      "load: schema size (tables + indexes + TOAST): "
        + [
          "empty \(empty)", "enqueued \(enqueued)", "drained \(drained)",
          "after prune \(pruned) (\(report.jobs) job, \(report.shards) shards, \(report.attempts) attempts, \(report.blobs) blob)",
          "after VACUUM \(vacuumed)",
        ].joined(separator: ", "))
    print("load: database size: \(try sizes.database())")
  }

  func launchWorker(number: Int, url: String, log: String) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    process.arguments = [
      "load-worker", "--concurrency", "\(concurrency)", "--prefetch", "\(prefetch)", "--name",
      "load-\(number)",
    ]
    var environment = ProcessInfo.processInfo.environment
    environment["DATABASE_URL"] = url
    process.environment = environment
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    process.standardError = FileHandle(forWritingAtPath: log)
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    return process
  }
}

/// Sizes of the scratch schema's relations, and of the whole database.
struct SchemaSizes {
  let connection: PGConnection
  let schema: String

  func measure() throws -> String {
    let rows = try connection.query(
      """
      SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')
      """, [.text(schema)])
    return Self.megabytes(rows.int64(0, 0) ?? 0)
  }

  func database() throws -> String {
    Self.megabytes(
      try connection.query("SELECT pg_database_size(current_database())").int64(0, 0) ?? 0)
  }

  static func megabytes(_ bytes: Int64) -> String {
    String(format: "%.1f MB", Double(bytes) / 1_048_576)
  }
}

/// Samples pg_stat_activity and pg_locks on its own connection while the workers run.
final class LockSampler: Sendable {
  struct Samples: Sendable {
    var count = 0
    /// Samples in which at least one backend waited for a heavyweight lock.
    var withLockWaits = 0
    var lockWaitersTotal = 0
    var lockWaitersMax = 0
    var ungrantedLocksMax = 0
    var activeTotal = 0
    /// wait_event_type:wait_event → backends seen waiting on it, summed over samples.
    var waitEvents: [String: Int] = [:]

    var summary: String {
      let top = waitEvents.sorted { $0.value > $1.value }.prefix(5)
        .map { "\($0.key) \(String(format: "%.2f", Double($0.value) / Double(max(count, 1))))" }
        .joined(separator: ", ")
      return
        "\(count) samples: lock waits in \(withLockWaits) (\(String(format: "%.1f", 100 * Double(withLockWaits) / Double(max(count, 1))))%), "
        + "mean \(String(format: "%.2f", Double(lockWaitersTotal) / Double(max(count, 1)))) and at most \(lockWaitersMax) backend(s) waiting on a lock, "
        + "at most \(ungrantedLocksMax) ungranted lock(s); mean active backends \(String(format: "%.1f", Double(activeTotal) / Double(max(count, 1)))); "
        + "mean waiting per event: \(top.isEmpty ? "none" : top)"
    }
  }

  let url: String
  let interval: Double
  let logger: Logger
  let running = Atomic<Bool>(false)
  let result = Mutex(Samples())
  let done = DispatchSemaphore(value: 0)

  init(url: String, interval: Double, logger: Logger) {
    self.url = url
    self.interval = interval
    self.logger = logger
  }

  func start() {
    running.store(true, ordering: .sequentiallyConsistent)
    Thread { [self] in
      defer { done.signal() }
      guard let connection = try? PGConnection.connect(url: url, logger: logger) else { return }
      while running.load(ordering: .sequentiallyConsistent) {
        if let rows = try? connection.query(
          """
          SELECT coalesce(wait_event_type, '') || ':' || coalesce(wait_event, ''), state,
            (SELECT count(*) FROM pg_locks WHERE NOT granted)
          FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND backend_type = 'client backend'
          """)
        {
          result.withLock { samples in
            samples.count += 1
            var lockWaiters = 0
            for row in 0..<rows.count {
              let event = rows.string(row, 0) ?? ":"
              if rows.string(row, 1) == "active" { samples.activeTotal += 1 }
              if event.hasPrefix("Lock:") { lockWaiters += 1 }
              // Idle connections wait on the client; count only what active backends wait for.
              if event != ":" && rows.string(row, 1) == "active" {
                samples.waitEvents[event, default: 0] += 1
              }
            }
            samples.lockWaitersTotal += lockWaiters
            samples.lockWaitersMax = max(samples.lockWaitersMax, lockWaiters)
            if lockWaiters > 0 { samples.withLockWaits += 1 }
            samples.ungrantedLocksMax = max(samples.ungrantedLocksMax, rows.int(0, 2) ?? 0)
          }
        }
        Thread.sleep(forTimeInterval: interval)
      }
    }.start()
  }

  func stop() -> Samples {
    running.store(false, ordering: .sequentiallyConsistent)
    done.wait()
    return result.withLock { $0 }
  }
}

/// `pixelprobe-bench load-worker`: one worker of the load benchmark (the real runtime, empty
/// work). Not for people: `load` starts these.
struct LoadWorkerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "load-worker", abstract: "A worker of `load` (empty work).", shouldDisplay: false)

  static let kind = "bench-noop"

  @Option var concurrency = 1
  @Option var prefetch = 0
  @Option var name: String

  func run() throws {
    var logger = Logger(label: "load-worker") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .info
    var configuration = WorkerConfiguration(
      databaseURL: ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "")
    configuration.kinds = [Self.kind]
    configuration.concurrency = concurrency
    configuration.prefetch = prefetch
    configuration.exitWhenIdle = true
    configuration.owner = name
    configuration.pollInterval = 0.5
    let runtime = WorkerRuntime(
      configuration: configuration, executor: NoWork(), store: PostgresBlobStore(),
      logger: logger)
    let code = try runtime.run()
    if code != 0 { throw ExitCode(code) }
  }
}

/// An executor that does nothing: the benchmark measures the queue.
struct NoWork: ShardExecutor {
  func execute(_ shard: ClaimedShard, context: ExecutionContext) throws -> ShardOutput {
    ShardOutput(questions: 1)
  }
}
