import Foundation
import Queue
import Synchronization
import Testing

/// Writes one row per shard into `runtime_results` inside the completing transaction; the primary
/// key makes a second completion of a shard fail loudly.
struct RowWritingExecutor: ShardExecutor {
  var delay: Double = 0
  /// Wait until cancelled instead of finishing.
  var blockUntilCancelled = false
  let started: Counter

  func execute(_ shard: ClaimedShard, context: ExecutionContext) throws -> ShardOutput {
    started.add()
    // The input blob is read on the executor's own connection.
    let input = try context.store.get(digest: shard.inputDigest, on: context.connection)
    if blockUntilCancelled {
      while !context.isCancelled() { Thread.sleep(forTimeInterval: 0.01) }
      throw ShardFailure(retryable: true, code: "cancelled", message: "lease lost")
    }
    if delay > 0 { Thread.sleep(forTimeInterval: delay) }
    let (job, index, owner) = (shard.jobID, shard.index, shard.owner)
    return ShardOutput(
      outputDigest: nil, outputSize: input.count, questions: shard.questions,
      writeResults: { connection in
        try connection.execute(
          "INSERT INTO runtime_results (job_id, idx, owner) VALUES ($1, $2, $3)",
          [.int(job), .int(Int64(index)), .text(owner)])
      })
  }
}

/// Fails shard `badIndex` (when executing, or when writing its results with `failWrites`);
/// the others write their row.
struct FailingExecutor: ShardExecutor {
  var badIndex: Int
  var failWrites = false

  func execute(_ shard: ClaimedShard, context: ExecutionContext) throws -> ShardOutput {
    if shard.index == badIndex && !failWrites {
      throw ShardFailure(
        retryable: true, code: "disk-on-fire", message: "shard \(shard.index) cannot be read")
    }
    let (job, index, bad) = (shard.jobID, shard.index, badIndex)
    return ShardOutput(
      questions: shard.questions,
      writeResults: { connection in
        try connection.execute(
          "INSERT INTO runtime_results (job_id, idx, owner) VALUES ($1, $2, 'ok')",
          [.int(job), .int(Int64(index))])
        // A failing write aborts the whole batch's transaction, this shard's row with it.
        if index == bad { try connection.execute("SELECT 1 / 0") }
      })
  }
}

/// A counter shared between threads.
final class Counter: Sendable {
  let storage = Mutex(0)
  func add() { storage.withLock { $0 += 1 } }
  var value: Int { storage.withLock { $0 } }
}

@Suite(.enabled(if: !TestDatabase.skipped, "PIXELPROBE_SKIP_DB_TESTS=1"))
struct WorkerRuntimeTests {
  /// Created once per run (concurrent CREATE TABLE IF NOT EXISTS can collide).
  static let table: Result<Void, any Error> = Result {
    try TestDatabase.connect().execute(
      "CREATE TABLE IF NOT EXISTS runtime_results (job_id bigint, idx int, owner text, PRIMARY KEY (job_id, idx))"
    )
  }

  init() throws {
    try Self.table.get()
  }

  func configuration(_ url: String, kind: String, owner: String) -> WorkerConfiguration {
    var configuration = WorkerConfiguration(databaseURL: url)
    configuration.kinds = [kind]
    configuration.owner = owner
    configuration.concurrency = 2
    configuration.claimBatch = 3
    configuration.completionBatch = 4
    configuration.completionDelay = 0.02
    configuration.pollInterval = 0.2
    configuration.exitWhenIdle = true
    return configuration
  }

  @Test func twoRuntimesDrainAJobAndExitWhenIdle() throws {
    let fixture = try QueueFixture("runtime")
    let job = try fixture.enqueue(shards: 40, questions: 2)
    let url = try TestDatabase.url()
    let codes = Mutex<[Int32]>([])
    let started = Counter()
    let kind = fixture.kind
    try runThreads(2) { number in
      let runtime = WorkerRuntime(
        configuration: configuration(url, kind: kind, owner: "runtime-\(number)"),
        executor: RowWritingExecutor(delay: 0.005, started: started), store: PostgresBlobStore(),
        logger: TestDatabase.logger)
      let code = try runtime.run()
      codes.withLock { $0.append(code) }
    }
    #expect(codes.withLock { $0 } == [0, 0])
    #expect(started.value == 40)
    #expect(try fixture.value("SELECT count(*) FROM runtime_results WHERE job_id = $1", [.int(job)]) == "40")
    let progress = try fixture.queue.job(job)
    #expect(progress.state == "succeeded" && progress.questionsDone == 80)
    #expect(
      try fixture.value(
        "SELECT count(*) FROM shard_attempts WHERE job_id = $1 AND outcome = 'completed'", [.int(job)])
        == "40")
  }

  @Test func executorFailuresAreRetriedThenKillTheShard() throws {
    let fixture = try QueueFixture("runtimefail")
    let job = try fixture.enqueue(shards: 3, maxAttempts: 2)
    var settings = configuration(try TestDatabase.url(), kind: fixture.kind, owner: "failing")
    settings.shardRetry = QueueFixture.noDelay
    let runtime = WorkerRuntime(
      configuration: settings, executor: FailingExecutor(badIndex: 1), store: PostgresBlobStore(),
      logger: TestDatabase.logger)
    #expect(try runtime.run() == 0)
    let progress = try fixture.queue.job(job)
    #expect(progress.state == "failed" && progress.shardsDone == 2 && progress.shardsDead == 1)
    #expect(progress.errors == ["shard 1: disk-on-fire: shard 1 cannot be read"])
    #expect(try fixture.attempts(job, 1) == ["1:failing:failed", "2:failing:failed"])
  }

  @Test func aShardWhoseResultsCannotBeWrittenFailsAloneInItsBatch() throws {
    let fixture = try QueueFixture("runtimewrite")
    let job = try fixture.enqueue(shards: 4, maxAttempts: 1)
    var settings = configuration(try TestDatabase.url(), kind: fixture.kind, owner: "writer")
    settings.concurrency = 4
    settings.completionBatch = 4
    settings.completionDelay = 2  // all four complete in one batch
    let runtime = WorkerRuntime(
      configuration: settings, executor: FailingExecutor(badIndex: 2, failWrites: true),
      store: PostgresBlobStore(), logger: TestDatabase.logger)
    #expect(try runtime.run() == 0)
    let progress = try fixture.queue.job(job)
    #expect(progress.shardsDone == 3 && progress.shardsDead == 1)
    #expect(progress.errors.first?.hasPrefix("shard 2: writing results failed") == true)
    #expect(try fixture.value("SELECT count(*) FROM runtime_results WHERE job_id = $1", [.int(job)]) == "3")
  }

  @Test func shutdownDrainsRunningShardsAndReleasesTheRest() throws {
    let fixture = try QueueFixture("shutdown")
    let job = try fixture.enqueue(shards: 6)
    var settings = configuration(try TestDatabase.url(), kind: fixture.kind, owner: "drainer")
    settings.exitWhenIdle = false
    settings.concurrency = 1
    settings.prefetch = 2
    settings.drainDeadline = 10
    let started = Counter()
    let runtime = WorkerRuntime(
      configuration: settings, executor: RowWritingExecutor(delay: 0.3, started: started),
      store: PostgresBlobStore(), logger: TestDatabase.logger)
    let code = Mutex<Int32?>(nil)
    let thread = Thread { code.withLock { $0 = try? runtime.run() } }
    thread.start()
    while started.value == 0 { Thread.sleep(forTimeInterval: 0.01) }
    runtime.requestShutdown()
    while code.withLock({ $0 }) == nil { Thread.sleep(forTimeInterval: 0.01) }
    #expect(code.withLock { $0 } == 0)
    // The running shard finished; the two prefetched ones went back; nothing stays running.
    let progress = try fixture.queue.job(job)
    #expect(progress.shardsDone == 1 && progress.shardsRunning == 0 && progress.shardsAvailable == 5)
    #expect(
      try fixture.value(
        "SELECT count(*) FROM shard_attempts WHERE job_id = $1 AND outcome = 'released'", [.int(job)])
        == "2")
  }

  @Test func theDrainDeadlineCancelsAndReleasesWhatStillRuns() throws {
    let fixture = try QueueFixture("deadline")
    let job = try fixture.enqueue(shards: 2)
    var settings = configuration(try TestDatabase.url(), kind: fixture.kind, owner: "stuck")
    settings.exitWhenIdle = false
    settings.drainDeadline = 0.3
    let started = Counter()
    let runtime = WorkerRuntime(
      configuration: settings,
      executor: RowWritingExecutor(blockUntilCancelled: true, started: started),
      store: PostgresBlobStore(), logger: TestDatabase.logger)
    let code = Mutex<Int32?>(nil)
    let thread = Thread { code.withLock { $0 = try? runtime.run() } }
    thread.start()
    while started.value < 2 { Thread.sleep(forTimeInterval: 0.01) }
    let asked = Date()
    runtime.requestShutdown()
    while code.withLock({ $0 }) == nil { Thread.sleep(forTimeInterval: 0.01) }
    #expect(code.withLock { $0 } == 0)
    #expect(Date().timeIntervalSince(asked) < 5)
    #expect(try fixture.queue.job(job).shardsAvailable == 2)
    #expect(try fixture.attempts(job, 0) == ["1:stuck:released"])
  }

  @Test func theControllerReconnectsAfterItsBackendIsTerminated() throws {
    let fixture = try QueueFixture("reconnect")
    let application = "pp-\(fixture.kind)"
    let url = TestDatabase.withOption(try TestDatabase.url(), "application_name", application)
    var settings = configuration(url, kind: fixture.kind, owner: "phoenix")
    settings.exitWhenIdle = false
    settings.reconnect = RetryPolicy(initialDelay: 0.05, maxDelay: 0.2, maxAttempts: nil)
    let started = Counter()
    let runtime = WorkerRuntime(
      configuration: settings, executor: RowWritingExecutor(started: started),
      store: PostgresBlobStore(), logger: TestDatabase.logger)
    let code = Mutex<Int32?>(nil)
    // A start that throws ends the wait too (-1), rather than leaving the test waiting forever.
    let thread = Thread { code.withLock { $0 = (try? runtime.run()) ?? -1 } }
    thread.start()
    // Wait until the worker is connected, then cut every connection it has (the first one
    // perhaps while it is still being set up: the worker connects again).
    var killed = 0
    for _ in 0..<200 where killed == 0 {
      Thread.sleep(forTimeInterval: 0.02)
      killed =
        try fixture.connection.query(
          "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
          [.text(application)]
        ).int(0, 0) ?? 0
    }
    #expect(killed >= 1)
    let job = try fixture.enqueue(shards: 5)
    let deadline = Date().addingTimeInterval(20)
    while try fixture.queue.job(job).state == "running", Date() < deadline {
      Thread.sleep(forTimeInterval: 0.05)
    }
    runtime.requestShutdown()
    while code.withLock({ $0 }) == nil { Thread.sleep(forTimeInterval: 0.01) }
    #expect(try fixture.queue.job(job).state == "succeeded")
    #expect(code.withLock { $0 } == 0)
  }

  /// A claim committed but its reply never arrived (here: made on another connection with the
  /// worker's name and token). The worker finds the shards on start, runs them under the same
  /// attempt, and nothing expires.
  @Test func shardsClaimedWithoutHearingTheReplyAreResumedUnderTheSameAttempt() throws {
    let fixture = try QueueFixture("lostreply")
    let job = try fixture.enqueue(shards: 4, lease: 60)
    let token = LeaseToken.random()
    let lost = try fixture.queue.claim(owner: "lost", token: token, kinds: [fixture.kind], limit: 2)
    #expect(lost.map(\.index) == [0, 1])
    var settings = configuration(try TestDatabase.url(), kind: fixture.kind, owner: "lost")
    settings.token = token
    let started = Counter()
    let begun = Date()
    let runtime = WorkerRuntime(
      configuration: settings, executor: RowWritingExecutor(started: started),
      store: PostgresBlobStore(), logger: TestDatabase.logger)
    #expect(try runtime.run() == 0)
    // Long before the 60 s lease could have run out.
    #expect(Date().timeIntervalSince(begun) < 30)
    #expect(try fixture.queue.job(job).state == "succeeded")
    for index in 0..<4 { #expect(try fixture.attempts(job, index) == ["1:lost:completed"]) }
    #expect(started.value == 4)
  }

  /// The fleet case: another worker (gone, never heartbeating again) holds a lease. The
  /// exit-when-idle worker does not exit; it takes the lease over the moment it expires.
  @Test func anExitWhenIdleWorkerWaitsForAnotherWorkersLeaseAndTakesItOverWhenItExpires() throws {
    let fixture = try QueueFixture("fleet")
    let job = try fixture.enqueue(shards: 3, lease: 2)
    let ghost = try fixture.queue.claim(
      owner: "ghost", token: LeaseToken.random(), kinds: [fixture.kind], limit: 1)
    let claimedAt = Date()
    var settings = configuration(try TestDatabase.url(), kind: fixture.kind, owner: "heir")
    settings.pollInterval = 5  // the wait is set by the lease, not by the poll
    let runtime = WorkerRuntime(
      configuration: settings, executor: RowWritingExecutor(started: Counter()),
      store: PostgresBlobStore(), logger: TestDatabase.logger)
    #expect(try runtime.run() == 0)
    let waited = Date().timeIntervalSince(claimedAt)
    #expect(waited >= 1.9 && waited < 4.5, "\(waited)")
    #expect(try fixture.queue.job(job).state == "succeeded")
    #expect(try fixture.attempts(job, ghost[0].index) == ["1:ghost:expired", "2:heir:completed"])
  }

  @Test func idleGraceLetsAWorkerLeaveLiveLeasesOfOthersBehind() throws {
    let fixture = try QueueFixture("grace")
    let job = try fixture.enqueue(shards: 2, lease: 60)
    _ = try fixture.queue.claim(
      owner: "busy", token: LeaseToken.random(), kinds: [fixture.kind], limit: 1)
    var settings = configuration(try TestDatabase.url(), kind: fixture.kind, owner: "leaver")
    settings.idleGrace = 0.5
    let begun = Date()
    let runtime = WorkerRuntime(
      configuration: settings, executor: RowWritingExecutor(started: Counter()),
      store: PostgresBlobStore(), logger: TestDatabase.logger)
    #expect(try runtime.run() == 0)
    let took = Date().timeIntervalSince(begun)
    #expect(took >= 0.5 && took < 10, "\(took)")
    let progress = try fixture.queue.job(job)
    #expect(progress.state == "running" && progress.shardsDone == 1 && progress.shardsRunning == 1)
  }
}
