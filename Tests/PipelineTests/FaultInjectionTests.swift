import Foundation
import Imaging
import Queue
import Synchronization
import Testing

/// The report of a fault-free run of the suite's job, which every faulty run must equal.
enum FaultReference {
  /// Made on first use under a lock (see `FaultCluster.shared`).
  static let cache = Mutex<Result<String, any Error>?>(nil)

  static func get() throws -> String {
    try cache.withLock { cached in
      if let cached { return try cached.get() }
      let made = Result { try run() }
      cached = made
      return try made.get()
    }
  }

  static func run() throws -> String {
    let server = try FakeVLMProcess()
    let run = try FaultRun("reference", model: server.model("slow"))
    try run.startWorker("a")
    try run.startWorker("b")
    let state = try run.waitForJob()
    _ = run.stopWorkers()
    guard state == "succeeded" else { throw FaultError("the fault-free run ended \(state)") }
    return try run.report()
  }

  /// The reference's per-image entries by image name.
  static func images() throws -> [String: String] {
    let object = try JSONSerialization.jsonObject(with: Data(try get().utf8)) as? [String: Any]
    var entries: [String: String] = [:]
    for entry in (object?["images"] as? [[String: Any]]) ?? [] {
      guard let name = entry["image"] as? String else { continue }
      let data = try JSONSerialization.data(withJSONObject: entry, options: .sortedKeys)
      entries[name] = String(decoding: data, as: UTF8.self)
    }
    return entries
  }
}

/// Faults injected into real `coordinator` and `worker` processes against a real PostgreSQL of
/// their own (FaultCluster). Each run must end with the report of the fault-free run, and with
/// every shard completed exactly once. PIXELPROBE_SLOW_TESTS=1 runs 25 kill cases (3 otherwise)
/// and more restarts.
@Suite(
  .serialized,
  .enabled(
    if: ProcessInfo.processInfo.environment["PIXELPROBE_SKIP_DB_TESTS"] != "1", "PIXELPROBE_SKIP_DB_TESTS=1"))
struct FaultInjectionTests {
  @Test(arguments: FaultSettings.killSeeds)
  func sigkillAtARandomPointOfAShard(seed: UInt64) throws {
    let reference = try FaultReference.get()
    let server = try FakeVLMProcess()
    let run = try FaultRun("kill\(seed)", model: server.model("slow"))
    var random = SeededRandom(seed: seed)
    let victim = try run.startWorker("victim")
    try run.startWorker("survivor")
    // A random shard of the victim's (its first, second or third), a random moment into it.
    let skip = Int(random.next() % 3)
    let delay = Double(random.next() % 450) / 1000
    let held = try run.waitForShard(of: victim, after: skip, delay: delay)
    victim.signal(SIGKILL)
    #expect(victim.wait(timeout: 5) != nil)
    let state = try run.waitForJob()
    #expect(state == "succeeded", "\(run.diagnostics())")
    #expect(try run.report() == reference)
    try run.checkCountedOnce()
    let statuses = run.workers.dropFirst().map { $0.stop() }
    #expect(statuses.allSatisfy { $0 == 0 })
    run.record(
      "SIGKILL seed \(seed)",
      "killed \(Int(delay * 1000)) ms into shard \(held.map(String.init) ?? "-"); job \(state), report identical"
    )
  }

  @Test(arguments: FaultSettings.restartRounds)
  func postgresRestartsImmediatelyInTheMiddleOfAJob(round: Int) throws {
    let reference = try FaultReference.get()
    let server = try FakeVLMProcess()
    let run = try FaultRun("restart\(round)", model: server.model("slow"))
    try run.startWorker("a")
    try run.startWorker("b")
    try run.waitUntil("two shards done", timeout: 30) { try run.shardsDone() >= 2 }
    try run.cluster.crash()
    Thread.sleep(forTimeInterval: 1)
    try run.cluster.start()
    let state = try run.waitForJob()
    #expect(state == "succeeded", "\(run.diagnostics())")
    #expect(try run.report() == reference)
    try run.checkCountedOnce()
    #expect(run.stopWorkers().allSatisfy { $0 == 0 })
    run.record(
      "PostgreSQL -m immediate restart #\(round)", "down 1 s mid-job; job \(state), report identical")
  }

  @Test(arguments: FaultSettings.restartRounds)
  func terminatedBackendsAreReconnected(round: Int) throws {
    let reference = try FaultReference.get()
    let server = try FakeVLMProcess()
    let run = try FaultRun("terminate\(round)", model: server.model("slow"))
    try run.startWorker("a")
    try run.startWorker("b")
    var terminated = 0
    for done in [1, 3, 5] {
      try run.waitUntil("\(done) shards done", timeout: 30) { try run.shardsDone() >= done }
      let rows = try run.cluster.connect().query(
        """
        SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE application_name = 'pixelprobe-worker'
        """)
      terminated += rows.int(0, 0) ?? 0
    }
    #expect(terminated >= 3)
    let state = try run.waitForJob()
    #expect(state == "succeeded", "\(run.diagnostics())")
    #expect(try run.report() == reference)
    try run.checkCountedOnce()
    #expect(run.stopWorkers().allSatisfy { $0 == 0 })
    run.record(
      "pg_terminate_backend #\(round)",
      "\(terminated) worker backends terminated at 3 moments; job \(state), report identical")
  }

  @Test func aModelCallThatHangsTimesOutAndTheShardIsRetried() throws {
    let reference = try FaultReference.get()
    let server = try FakeVLMProcess()
    // The first request about each image never gets an answer; the backend gives up after 1 s.
    let run = try FaultRun(
      "hang", model: server.model("hang-once", options: "concurrency=2&timeout=1&retries=0"),
      extra: ["--max-attempts", "3"])
    try run.startWorker("a", ["--concurrency", "2"])
    try run.startWorker("b", ["--concurrency", "2"])
    let state = try run.waitForJob()
    #expect(state == "succeeded", "\(run.diagnostics())")
    #expect(try run.report() == reference)
    try run.checkCountedOnce()
    let failed = try run.value(
      "SELECT count(*) FROM shard_attempts WHERE job_id = $1 AND outcome = 'failed' AND error LIKE '%timeout%'",
      [.int(run.job)])
    #expect(failed == "\(FaultSettings.images.count)")
    #expect(run.stopWorkers().allSatisfy { $0 == 0 })
    run.record(
      "model call hangs (backend timeout 1 s)",
      "each shard's first attempt timed out, then completed; report identical")
  }

  @Test func aCallThatNeverReturnsFailsItsShardAndTheWedgedWorkerExitsForARestart() throws {
    let server = try FakeVLMProcess()
    let directory = try FaultSettings.imageDirectory("one", names: [FaultSettings.images[0]])
    let run = try FaultRun(
      "wedge", model: server.model("hang", options: "timeout=3600&retries=0"), images: directory,
      count: 1, extra: ["--max-attempts", "1", "--lease-seconds", "30"])
    let worker = try run.startWorker("a", ["--shard-timeout", "1"])
    // Timed out after 1 s (the shard fails), stuck 1 s more: the worker gives up with 75.
    let status = worker.wait(timeout: 20)
    #expect(status == WorkerStateMachine.wedgedExitCode, "\(worker.log)")
    #expect(try run.waitForJob(timeout: 10) == "failed")
    let error = try run.value("SELECT error FROM shards WHERE job_id = $1 AND idx = 0", [.int(run.job)])
    #expect(error?.contains("execution timed out after 1 s") == true, "\(error ?? "nil")")
    run.record(
      "model call never returns (worker --shard-timeout 1)",
      "shard failed with its error, worker exited 75 for a restart")
  }

  @Test func aFrozenWorkerLosesItsLeaseAndItsLateCompletionIsRejected() throws {
    let reference = try FaultReference.get()
    let server = try FakeVLMProcess()
    let run = try FaultRun("freeze", model: server.model("slow"))
    let frozen = try run.startWorker("frozen")
    try run.waitUntil("the frozen worker to hold a shard") { try run.shardHeld(by: frozen) != nil }
    let shard = try #require(try run.shardHeld(by: frozen))
    frozen.signal(SIGSTOP)
    try run.startWorker("survivor")
    // The lease (2 s) runs out; the survivor takes the shard over and completes it.
    try run.waitUntil("the survivor to complete shard \(shard)") {
      try run.value(
        "SELECT state FROM shards WHERE job_id = $1 AND idx = $2", [.int(run.job), .int(Int64(shard))])
        == "done"
    }
    frozen.signal(SIGCONT)
    let state = try run.waitForJob()
    #expect(state == "succeeded", "\(run.diagnostics())")
    #expect(try run.report() == reference)
    try run.checkCountedOnce()
    let frozenOutcome = try run.value(
      "SELECT outcome FROM shard_attempts WHERE job_id = $1 AND idx = $2 AND owner = $3",
      [.int(run.job), .int(Int64(shard)), .text(frozen.name)])
    #expect(frozenOutcome == "expired" || frozenOutcome == "rejected", "\(frozenOutcome ?? "nil")")
    #expect(run.stopWorkers().allSatisfy { $0 == 0 })
    run.record(
      "worker frozen (SIGSTOP) past its lease, then resumed",
      "its attempt \(frozenOutcome ?? "?"); job \(state), report identical")
  }

  @Test func aShardTheModelAlwaysFailsEndsDeadAndTheRestOfTheJobCompletes() throws {
    let references = try FaultReference.images()
    let server = try FakeVLMProcess()
    let tiny = try PNGEncoder.encode(
      RGBImage(width: 8, height: 8, pixels: (0..<192).map { UInt8($0 % 256) }))
    let names = Array(FaultSettings.images.prefix(3))
    let directory = try FaultSettings.imageDirectory("poisoned", names: names, extra: ["zz-tiny.png": tiny])
    let run = try FaultRun(
      "poison", model: server.model("fail-tiny", options: "concurrency=2&retries=0"), images: directory,
      count: 4, extra: ["--max-attempts", "2"])
    try run.startWorker("a")
    try run.startWorker("b")
    #expect(try run.waitForJob() == "failed")
    let shard = try run.cluster.connect().query(
      "SELECT state, attempt, error FROM shards WHERE job_id = $1 AND idx = 3", [.int(run.job)])
    #expect(shard.string(0, 0) == "dead" && shard.int(0, 1) == 2)
    #expect(shard.string(0, 2)?.contains("500") == true, "\(shard.string(0, 2) ?? "nil")")
    let jobError = try run.value("SELECT error FROM jobs WHERE id = $1", [.int(run.job)]) ?? ""
    #expect(jobError.hasPrefix("1 of 4 shard(s) dead; shard 3: "), "\(jobError)")
    #expect(try run.value("SELECT shards_done FROM jobs WHERE id = $1", [.int(run.job)]) == "3")
    // The three good images score exactly as in the fault-free run.
    let report = try JSONSerialization.jsonObject(with: Data(try run.report().utf8)) as? [String: Any]
    let images = (report?["images"] as? [[String: Any]]) ?? []
    #expect(images.count == 3)
    for entry in images {
      let name = try #require(entry["image"] as? String)
      let data = try JSONSerialization.data(withJSONObject: entry, options: .sortedKeys)
      #expect(String(decoding: data, as: UTF8.self) == references[name], "\(name)")
    }
    #expect(run.stopWorkers().allSatisfy { $0 == 0 })
    run.record(
      "model fails one shard every time (HTTP 500)",
      "that shard dead after 2 attempts with the error, 3 of 4 done, their figures identical")
  }

  /// Damages or removes shard 2's input blob before any worker runs; the shard dies with a clear
  /// error, the rest completes, and after the blob is put back `coordinator retry` finishes the
  /// job with the fault-free report.
  @Test(arguments: ["corrupt", "delete"])
  func aDamagedInputBlobKillsItsShardAndRetryAfterRepairCompletes(damage: String) throws {
    let reference = try FaultReference.get()
    let server = try FakeVLMProcess()
    let run = try FaultRun("blob-\(damage)", model: server.model("slow"))
    let admin = try run.cluster.connect()
    let digest = try #require(
      try run.value("SELECT input_digest FROM shards WHERE job_id = $1 AND idx = 2", [.int(run.job)]))
    let original = try #require(
      try admin.query("SELECT data FROM blobs WHERE digest = $1", [.text(digest)], binaryResult: true)
        .bytes(0, 0))
    if damage == "corrupt" {
      var flipped = original
      flipped[flipped.count / 2] ^= 0x55
      try admin.execute("UPDATE blobs SET data = $2 WHERE digest = $1", [.text(digest), .bytes(flipped)])
    } else {
      try admin.execute("DELETE FROM blobs WHERE digest = $1", [.text(digest)])
    }
    var restored = false
    defer {
      if !restored {
        _ = try? admin.execute("DELETE FROM blobs WHERE digest = $1", [.text(digest)])
        _ = try? admin.execute(
          "INSERT INTO blobs (digest, data) VALUES ($1, $2)", [.text(digest), .bytes(original)])
      }
    }
    try run.startWorker("a")
    try run.startWorker("b")
    #expect(try run.waitForJob() == "failed")
    let error = try run.value("SELECT error FROM shards WHERE job_id = $1 AND idx = 2", [.int(run.job)]) ?? ""
    if damage == "corrupt" {
      #expect(error.contains("bad-shard") && error.contains(digest), "\(error)")
    } else {
      #expect(error.contains("missing-blob") && error.contains(digest), "\(error)")
    }
    #expect(try run.shardsDone() == FaultSettings.images.count - 1)
    // Repair, then retry: only shard 2 runs again.
    try admin.execute("DELETE FROM blobs WHERE digest = $1", [.text(digest)])
    try admin.execute("INSERT INTO blobs (digest, data) VALUES ($1, $2)", [.text(digest), .bytes(original)])
    restored = true
    let retried = try ProcessRunner.run("coordinator", ["retry", "\(run.job)"], environment: run.environment)
    #expect(retried.status == 0, "\(retried.stderr)")
    let state = try run.waitForJob()
    #expect(state == "succeeded", "\(run.diagnostics())")
    #expect(try run.report() == reference)
    try run.checkCountedOnce()
    #expect(run.stopWorkers().allSatisfy { $0 == 0 })
    run.record(
      "input blob \(damage == "corrupt" ? "corrupted (one byte flipped)" : "deleted")",
      "shard dead at once naming the digest, rest done; after repair + retry: report identical")
  }

  @Test(arguments: [("finish", 10.0), ("release", 0.05)])
  func sigtermFinishesOrReleasesTheCurrentShardWithinTheDrainAndExitsZero(
    mode: String, drain: Double
  ) throws {
    let reference = try FaultReference.get()
    let server = try FakeVLMProcess()
    let run = try FaultRun("term-\(mode)", model: server.model("slow"))
    let worker = try run.startWorker("draining", ["--drain-seconds", "\(drain)"])
    try run.waitUntil("the worker to hold a shard") { try run.shardHeld(by: worker) != nil }
    let shard = try #require(try run.shardHeld(by: worker))
    Thread.sleep(forTimeInterval: 0.1)
    let start = Date()
    worker.signal(SIGTERM)
    let status = worker.wait(timeout: drain + 5)
    let seconds = Date().timeIntervalSince(start)
    #expect(status == 0, "\(worker.log)")
    // A shard takes about half a second: finishing it, or handing it back at once.
    #expect(seconds < drain + 2)
    let outcome = try run.value(
      "SELECT outcome FROM shard_attempts WHERE job_id = $1 AND idx = $2 AND owner = $3",
      [.int(run.job), .int(Int64(shard)), .text(worker.name)])
    #expect(outcome == (mode == "finish" ? "completed" : "released"))
    try run.startWorker("rest")
    let state = try run.waitForJob()
    #expect(state == "succeeded", "\(run.diagnostics())")
    #expect(try run.report() == reference)
    try run.checkCountedOnce()
    #expect(run.stopWorkers().allSatisfy { $0 == 0 })
    run.record(
      "SIGTERM, --drain-seconds \(drain)",
      "exit 0 after \(String(format: "%.2f", seconds)) s, its shard \(outcome ?? "?"); report identical")
  }
}
