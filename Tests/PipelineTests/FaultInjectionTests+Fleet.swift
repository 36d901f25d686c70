import Foundation
import Queue
import Testing

/// A fleet of `worker --exit-when-idle` processes (as a Slurm array or a Kubernetes Job runs
/// them) must finish its job whatever happens to one of them, with no human action, and the
/// survivors must exit 0 by themselves afterwards. And a worker whose connections are cut at
/// random moments must never leave a shard to wait out its lease.
extension FaultInjectionTests {
  static let fleetArguments = ["--exit-when-idle"]

  @Test(arguments: FaultSettings.fleetSeeds)
  func aFleetOfExitWhenIdleWorkersFinishesTheJobWhenOneIsKilledMidShard(seed: UInt64) throws {
    let reference = try FaultReference.get()
    let server = try FakeVLMProcess()
    let run = try FaultRun("fleet-kill\(seed)", model: server.model("slow"))
    var random = SeededRandom(seed: seed)
    let victim = try run.startWorker("victim", Self.fleetArguments)
    let survivors = try (1...2).map { try run.startWorker("survivor\($0)", Self.fleetArguments) }
    let held = try run.waitForShard(
      of: victim, after: Int(random.next() % 2), delay: Double(random.next() % 400) / 1000)
    victim.signal(SIGKILL)
    #expect(victim.wait(timeout: 5) != nil)
    let state = try run.waitForJob()
    #expect(state == "succeeded", "\(run.diagnostics())")
    #expect(try run.report() == reference)
    try run.checkCountedOnce()
    // Nobody asks them to stop: they see nothing left and exit 0.
    let statuses = survivors.map { $0.wait(timeout: 15) }
    #expect(statuses.allSatisfy { $0 == 0 }, "\(statuses) \(run.diagnostics())")
    run.record(
      "fleet of 3 exit-when-idle workers, one SIGKILLed (seed \(seed))",
      "killed in shard \(held.map(String.init) ?? "-"); job \(state) with no human action, survivors exited \(statuses.map { $0.map(String.init) ?? "-" }.joined(separator: ","))"
    )
  }

  @Test func aFleetOfExitWhenIdleWorkersTakesOverTheLeaseOfAFrozenWorker() throws {
    let reference = try FaultReference.get()
    let server = try FakeVLMProcess()
    let run = try FaultRun("fleet-freeze", model: server.model("slow"))
    let frozen = try run.startWorker("frozen", Self.fleetArguments)
    let survivors = try (1...2).map { try run.startWorker("survivor\($0)", Self.fleetArguments) }
    try run.waitUntil("the frozen worker to hold a shard") { try run.shardHeld(by: frozen) != nil }
    let shard = try #require(try run.shardHeld(by: frozen))
    frozen.signal(SIGSTOP)
    let state = try run.waitForJob()
    #expect(state == "succeeded", "\(run.diagnostics())")
    let statuses = survivors.map { $0.wait(timeout: 15) }
    #expect(statuses.allSatisfy { $0 == 0 }, "\(statuses) \(run.diagnostics())")
    // Thawed, it finds its lease gone and nothing left: it exits 0 too.
    frozen.signal(SIGCONT)
    let thawed = frozen.wait(timeout: 15)
    #expect(thawed == 0, "\(frozen.log.suffix(6000))")
    #expect(try run.report() == reference)
    try run.checkCountedOnce()
    let outcome = try run.value(
      "SELECT outcome FROM shard_attempts WHERE job_id = $1 AND idx = $2 AND owner = $3",
      [.int(run.job), .int(Int64(shard)), .text(frozen.name)])
    #expect(outcome == "expired" || outcome == "rejected", "\(outcome ?? "nil")")
    run.record(
      "fleet of 3 exit-when-idle workers, one frozen (SIGSTOP) holding a lease",
      "its shard \(shard) taken over after the 2 s lease; job \(state), survivors exited 0, the thawed worker's attempt \(outcome ?? "?") and it exited \(thawed.map(String.init) ?? "-")"
    )
  }

  /// Every worker backend is terminated at seeded random moments (0.3 to 1.2 s apart), 20
  /// times or until the job ends: claims, heartbeats, completions and input reads all lose their connection
  /// somewhere. A claim whose reply was lost is found again on reconnect, so no lease expires
  /// and no attempt is spent on a lease.
  @Test(arguments: FaultSettings.fleetSeeds)
  func backendsTerminatedInASeededLoopLeaveNoExpiredAttemptAndNoStrandedShard(seed: UInt64) throws {
    let reference = try FaultReference.get()
    let server = try FakeVLMProcess()
    let run = try FaultRun("terminate-loop\(seed)", model: server.model("slow"))
    var random = SeededRandom(seed: seed)
    let workers = try ["a", "b"].map { try run.startWorker($0, Self.fleetArguments) }
    let admin = try run.cluster.connect()
    var terminated = 0
    var rounds = 0
    let deadline = Date().addingTimeInterval(90)
    while rounds < 20, Date() < deadline,
      try run.value("SELECT state FROM jobs WHERE id = $1", [.int(run.job)]) == "running"
    {
      Thread.sleep(forTimeInterval: 0.3 + Double(random.next() % 900) / 1000)
      terminated +=
        try admin.query(
          """
          SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
          WHERE application_name = 'pixelprobe-worker'
          """
        ).int(0, 0) ?? 0
      rounds += 1
    }
    let state = try run.waitForJob()
    #expect(state == "succeeded", "\(run.diagnostics())")
    #expect(try run.report() == reference)
    try run.checkCountedOnce()
    let summary = try run.attemptSummary()
    #expect(try run.attempts("expired") == 0, "\(summary) \(run.diagnostics())")
    #expect(terminated >= 4)
    let statuses = workers.map { $0.wait(timeout: 15) }
    #expect(statuses.allSatisfy { $0 == 0 }, "\(statuses)")
    let recovered = workers.map {
      $0.log.components(separatedBy: "found shards leased to this worker that it had not").count - 1
    }
    .reduce(0, +)
    run.record(
      "pg_terminate_backend loop (seed \(seed))",
      "\(terminated) backends terminated in \(rounds) rounds; \(recovered) recoveries of unheard claims; job \(state), no lease expired, report identical"
    )
  }
}
