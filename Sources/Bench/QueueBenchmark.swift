import ArgumentParser
import Dispatch
import Foundation
import Logging
import Queue
import Synchronization

/// `pixelprobe-bench queue`: enqueue N empty shards, then drain them with C consumers (threads of
/// this process, each with its own connection) doing claim + complete with empty work. Runs in a
/// scratch schema that is dropped afterwards. The peer: `bench/pgqueuer_bench.py`.
struct QueueBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "queue", abstract: "Claim and complete empty shards; print shards/s.")

  @Option(help: "libpq URL (default: $DATABASE_URL).")
  var databaseURL: String?
  @Option(help: "Shards to enqueue and drain.")
  var shards = 20_000
  @Option(help: "Consumer threads, each with its own connection.")
  var consumers = 2
  @Option(help: "Shards per claim (and per completing transaction).")
  var batch = 100
  @Option(help: "The migrations directory (default: found as the coordinator finds it).")
  var migrations: String?

  func run() throws {
    guard let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"] else {
      throw ValidationError("give --database-url or set DATABASE_URL")
    }
    guard shards >= 1, consumers >= 1, batch >= 1 else {
      throw ValidationError("--shards, --consumers and --batch must be at least 1")
    }
    let logger = {
      var logger = Logger(label: "bench")
      logger.logLevel = .warning
      return logger
    }()
    guard let directory = Migrator.locateDirectory(explicit: migrations) else {
      throw ValidationError("no migrations directory found; pass --migrations DIR")
    }
    let admin = try PGConnection.connect(url: url, logger: logger)
    let schema = "bench_queue_\(getpid())"
    try admin.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
    try admin.execute("CREATE SCHEMA \(schema)")
    defer { _ = try? admin.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE") }
    let scoped = Self.withSearchPath(url, schema)
    let setup = try PGConnection.connect(url: scoped, logger: logger)
    try Migrator(directory: directory, logger: logger).migrate(on: setup)

    let kind = "bench-noop"
    let enqueueStart = Date()
    let empty: [UInt8] = []
    let digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    let count = shards
    let job = try WorkQueue(connection: setup).enqueue(
      NewJob(kind: kind, spec: "{}"), store: PostgresBlobStore()
    ) { sink in
      for _ in 0..<count { try sink.add(bytes: empty, digest: digest, questions: 1) }
    }
    let enqueueSeconds = Date().timeIntervalSince(enqueueStart)

    let completed = Atomic<Int>(0)
    let claimNanos = Atomic<Int>(0)
    let completeNanos = Atomic<Int>(0)
    let batches = Atomic<Int>(0)
    let failures = Mutex<[String]>([])
    let group = DispatchGroup()
    let limit = batch
    let drainStart = Date()
    for number in 0..<consumers {
      group.enter()
      Thread {
        defer { group.leave() }
        do {
          let queue = WorkQueue(connection: try PGConnection.connect(url: scoped, logger: logger))
          let nothing = ShardOutput(questions: 1)
          while true {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let claims = try queue.claim(owner: "bench-\(number)", kinds: [kind], limit: limit)
            let t1 = DispatchTime.now().uptimeNanoseconds
            if claims.isEmpty { break }
            let accepted = try queue.complete(claims.map { ($0, nothing) })
            let t2 = DispatchTime.now().uptimeNanoseconds
            claimNanos.add(Int(t1 - t0), ordering: .relaxed)
            completeNanos.add(Int(t2 - t1), ordering: .relaxed)
            batches.add(1, ordering: .relaxed)
            completed.add(accepted.count, ordering: .relaxed)
          }
        } catch {
          failures.withLock { $0.append("consumer \(number): \(error)") }
        }
      }.start()
    }
    group.wait()
    let drainSeconds = Date().timeIntervalSince(drainStart)
    if let failure = failures.withLock({ $0.first }) { throw ValidationError(failure) }
    let done = completed.load(ordering: .relaxed)
    let state = try WorkQueue(connection: setup).job(job.jobID).state
    print("queue: enqueued \(count) shards in \(String(format: "%.2f", enqueueSeconds)) s")
    print(
      "queue: drained \(done) shards with \(consumers) consumer thread(s), batch \(batch): "
        + String(format: "%.0f shards/s", Double(done) / drainSeconds)
        + " (\(String(format: "%.2f", drainSeconds)) s; job \(state))")
    let perBatch = { (nanos: Int) in
      String(format: "%.2f ms", Double(nanos) / 1e6 / Double(max(1, batches.load(ordering: .relaxed))))
    }
    print(
      "queue: per batch: claim \(perBatch(claimNanos.load(ordering: .relaxed))), complete \(perBatch(completeNanos.load(ordering: .relaxed)))"
    )
  }

  static func withSearchPath(_ url: String, _ schema: String) -> String {
    if url.contains("://") {
      return url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    }
    return url + " options='-csearch_path=\(schema)'"
  }
}
