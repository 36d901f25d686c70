import Queue
import Testing

typealias Machine = WorkerStateMachine
typealias Action = WorkerStateMachine.Action

func shard(_ index: Int, job: Int64 = 1, attempt: Int = 1, lease: Int = 60) -> ClaimedShard {
  ClaimedShard(
    jobID: job, index: index, attempt: attempt, owner: "w", kind: "k", spec: "{}",
    inputDigest: "d\(index)", inputSize: 0, questions: 10, leaseSeconds: lease)
}

func output(_ index: Int) -> ShardOutput {
  ShardOutput(outputDigest: "o\(index)", outputSize: index, questions: 10)
}

func done(_ index: Int) -> Machine.CompletedShard {
  Machine.CompletedShard(claim: shard(index), output: output(index))
}

func config(
  concurrency: Int = 2, prefetch: Int = 0, claimBatch: Int = 16, completionBatch: Int = 16,
  completionDelay: Double = 1, heartbeat: Double = 10, poll: Double = 5, exitWhenIdle: Bool = false,
  drain: Double = 30, timeout: Double? = nil, grace: Double? = nil, recoverOnStart: Bool = false
) -> Machine.Configuration {
  Machine.Configuration(
    concurrency: concurrency, prefetch: prefetch, claimBatch: claimBatch,
    completionBatch: completionBatch, completionDelay: completionDelay, heartbeatInterval: heartbeat,
    pollInterval: poll, exitWhenIdle: exitWhenIdle, drainDeadline: drain, errorDelay: 1,
    executionTimeout: timeout, idleGrace: grace, recoverOnStart: recoverOnStart)
}

/// An outlook with nothing left.
let nothingLeft = QueueOutlook()

@Suite struct WorkerStateMachineTests {
  @Test(arguments: [(1, 0, 16, 1), (2, 0, 16, 2), (4, 2, 16, 6), (8, 0, 3, 3)])
  func startClaimsUpToFreeSlots(concurrency: Int, prefetch: Int, batch: Int, expected: Int) {
    var machine = Machine(
      configuration: config(concurrency: concurrency, prefetch: prefetch, claimBatch: batch))
    #expect(machine.event(.started, now: 0) == [.claim(limit: expected)])
  }

  @Test func claimedShardsRunUpToConcurrencyAndTheRestWait() {
    var machine = Machine(configuration: config(concurrency: 2, prefetch: 1))
    #expect(machine.event(.started, now: 0) == [.claim(limit: 3)])
    let actions = machine.event(.claimed([shard(0), shard(1), shard(2)]), now: 0)
    // Two run, the third waits; all slots are taken so no claim.
    #expect(actions == [.execute(shard(0)), .execute(shard(1))])
    let next = machine.event(.executionFinished(shard(0).key, .success(output(0))), now: 0.1)
    // The waiting shard starts, a slot for prefetch opens (claim 1); shard 0 waits for its batch.
    #expect(next == [.execute(shard(2)), .claim(limit: 1)])
  }

  @Test func completionsAreBatchedByCount() {
    var machine = Machine(
      configuration: config(concurrency: 4, completionBatch: 2, completionDelay: 100))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed((0..<4).map { shard($0) }), now: 0)
    #expect(
      machine.event(.executionFinished(shard(0).key, .success(output(0))), now: 1) == [
        .claim(limit: 1)
      ])
    _ = machine.event(.claimed([]), now: 1)
    #expect(
      machine.event(.executionFinished(shard(1).key, .success(output(1))), now: 2) == [
        .complete([done(0), done(1)])
      ])
  }

  @Test func completionsAreFlushedAfterTheDelay() {
    var machine = Machine(configuration: config(concurrency: 2, completionDelay: 0.5))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0), shard(1)]), now: 0)
    _ = machine.event(.executionFinished(shard(0).key, .success(output(0))), now: 1)
    _ = machine.event(.claimed([]), now: 1)
    #expect(machine.nextDeadline == 1.5)
    #expect(machine.event(.tick, now: 1.4) == [])
    #expect(machine.event(.tick, now: 1.5) == [.complete([done(0)])])
  }

  @Test func completionIsImmediateWhenNothingElseRuns() {
    var machine = Machine(configuration: config(concurrency: 1, completionDelay: 100))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0)]), now: 0)
    let actions = machine.event(.executionFinished(shard(0).key, .success(output(0))), now: 1)
    #expect(actions == [.complete([done(0)]), .claim(limit: 1)])
  }

  @Test func failuresAreReported() {
    var machine = Machine(configuration: config(concurrency: 1))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0)]), now: 0)
    let actions = machine.event(
      .executionFinished(shard(0).key, .failure(message: "boom", retryable: false)), now: 1)
    #expect(actions == [.fail(shard(0), error: "boom", retryable: false), .claim(limit: 1)])
    #expect(machine.inFlightCount == 1)
    _ = machine.event(.failReported(shard(0).key), now: 1)
    #expect(machine.inFlightCount == 0)
  }

  @Test func exitWhenIdleExitsOnAnEmptyClaimWithNothingInFlight() {
    var machine = Machine(configuration: config(exitWhenIdle: true))
    #expect(machine.event(.started, now: 0) == [.claim(limit: 2)])
    // Nothing claimed: the worker asks what is left before it decides.
    #expect(machine.event(.claimed([]), now: 0) == [.survey])
    #expect(machine.event(.tick, now: 0.5) == [])  // no claim while the survey runs
    #expect(machine.event(.surveyed(nothingLeft), now: 0.5) == [.exit(code: 0)])
    #expect(machine.hasExited)
    #expect(machine.event(.tick, now: 1) == [])
  }

  @Test func exitWhenIdleWaitsForWorkInFlightThenClaimsOnceMore() {
    var machine = Machine(configuration: config(concurrency: 2, exitWhenIdle: true))
    _ = machine.event(.started, now: 0)
    #expect(machine.event(.claimed([shard(0)]), now: 0) == [.execute(shard(0)), .claim(limit: 1)])
    #expect(machine.event(.claimed([]), now: 0) == [])  // shard 0 still runs: no exit
    #expect(machine.event(.tick, now: 0.1) == [])
    #expect(
      machine.event(.executionFinished(shard(0).key, .success(output(0))), now: 1) == [
        .complete([done(0)])
      ])
    #expect(
      machine.event(.completionFinished(accepted: [shard(0).key], rejected: []), now: 1) == [
        .claim(limit: 2)
      ])
    #expect(machine.event(.claimed([]), now: 1) == [.survey])
    #expect(machine.event(.surveyed(nothingLeft), now: 1) == [.exit(code: 0)])
  }

  @Test func idleWorkerPollsAndWakesOnNotification() {
    var machine = Machine(configuration: config(poll: 5))
    _ = machine.event(.started, now: 0)
    #expect(machine.event(.claimed([]), now: 0) == [.waitForWork(timeout: 5)])
    #expect(machine.nextDeadline == 5)
    #expect(machine.event(.tick, now: 4.9) == [])
    #expect(machine.event(.wakeUp, now: 4.9) == [.claim(limit: 2)])
    #expect(machine.event(.claimed([]), now: 5) == [.waitForWork(timeout: 5)])
    #expect(machine.event(.tick, now: 10) == [.claim(limit: 2)])
  }

  @Test func failedClaimWaitsBeforeTheNext() {
    var machine = Machine(configuration: config())
    _ = machine.event(.started, now: 0)
    #expect(machine.event(.claimFailed, now: 0) == [])
    #expect(machine.event(.tick, now: 0.5) == [])
    #expect(machine.event(.tick, now: 1) == [.claim(limit: 2)])
  }

  @Test func heartbeatsCoverEveryHeldLeaseAndLostOnesAreAbandoned() {
    var machine = Machine(
      configuration: config(
        concurrency: 2, prefetch: 1, completionDelay: 100, heartbeat: 10, poll: 100))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0), shard(1), shard(2)]), now: 0)
    _ = machine.event(.executionFinished(shard(0).key, .success(output(0))), now: 1)
    _ = machine.event(.claimed([]), now: 1)
    #expect(machine.event(.tick, now: 9.9) == [])
    // Shard 0 awaits completion, 1 and 2 execute: all three are heartbeated.
    #expect(machine.event(.tick, now: 10) == [.heartbeat([shard(0), shard(1), shard(2)])])
    let actions = machine.event(.heartbeatFinished(lost: [shard(0).key, shard(1).key]), now: 10)
    #expect(actions == [.abandon(shard(1).key)])
    // The abandoned shard's result is dropped; the lost finished one is not completed.
    #expect(machine.event(.executionFinished(shard(1).key, .success(output(1))), now: 11) == [])
    let last = machine.event(.executionFinished(shard(2).key, .success(output(2))), now: 12)
    #expect(last.first == .complete([done(2)]))
  }

  @Test func aLostLeaseOfAWaitingShardDropsItWithoutRunningIt() {
    var machine = Machine(configuration: config(concurrency: 1, prefetch: 1, heartbeat: 5, poll: 100))
    _ = machine.event(.started, now: 0)
    #expect(machine.event(.claimed([shard(0), shard(1)]), now: 0) == [.execute(shard(0))])
    #expect(machine.event(.tick, now: 5) == [.heartbeat([shard(0), shard(1)])])
    #expect(machine.event(.heartbeatFinished(lost: [shard(1).key]), now: 5) == [.claim(limit: 1)])
    #expect(machine.heldLeases == [shard(0)])
    // Shard 0 finishes; the next one to run is whatever the new claim brings, never shard 1.
    _ = machine.event(.claimed([shard(2)]), now: 5)
    let next = machine.event(.executionFinished(shard(0).key, .success(output(0))), now: 6)
    #expect(next.contains(.execute(shard(2))) && !next.contains(.execute(shard(1))))
  }

  @Test(arguments: [(60, 10.0, 10.0), (9, 10.0, 3.0), (3, 10.0, 1.0)])
  func heartbeatIntervalIsAtMostAThirdOfTheLease(lease: Int, interval: Double, expected: Double) {
    var machine = Machine(configuration: config(concurrency: 1, heartbeat: interval))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0, lease: lease)]), now: 0)
    #expect(machine.nextDeadline == expected)
  }

  @Test func shutdownReleasesWaitingShardsFinishesRunningOnesAndExits() {
    var machine = Machine(configuration: config(concurrency: 1, prefetch: 1, completionDelay: 100))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0), shard(1)]), now: 0)
    #expect(machine.event(.shutdownRequested, now: 1) == [.release([shard(1)])])
    #expect(machine.event(.releaseFinished, now: 1) == [])
    #expect(machine.event(.wakeUp, now: 2) == [])  // no claims while draining
    #expect(
      machine.event(.executionFinished(shard(0).key, .success(output(0))), now: 3) == [
        .complete([done(0)])
      ])
    #expect(
      machine.event(.completionFinished(accepted: [shard(0).key], rejected: []), now: 3) == [
        .exit(code: 0)
      ])
  }

  @Test func drainDeadlineAbandonsAndReleasesWhatStillRuns() {
    var machine = Machine(configuration: config(concurrency: 2, drain: 5))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0), shard(1)]), now: 0)
    #expect(machine.event(.shutdownRequested, now: 1) == [])
    #expect(machine.nextDeadline == 6)
    #expect(machine.event(.tick, now: 5.9) == [])
    #expect(
      machine.event(.tick, now: 6) == [
        .abandon(shard(0).key), .abandon(shard(1).key), .release([shard(0), shard(1)]),
        .exit(code: 0),
      ])
  }

  @Test func secondShutdownRequestEndsTheDrainAtOnce() {
    var machine = Machine(configuration: config(concurrency: 1, drain: 30))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0)]), now: 0)
    _ = machine.event(.shutdownRequested, now: 1)
    #expect(
      machine.event(.shutdownRequested, now: 2) == [
        .abandon(shard(0).key), .release([shard(0)]), .exit(code: 0),
      ])
  }

  @Test func shardsClaimedAsShutdownBeginsAreReleased() {
    var machine = Machine(configuration: config(concurrency: 1))
    #expect(machine.event(.started, now: 0) == [.claim(limit: 1)])
    #expect(machine.event(.shutdownRequested, now: 0) == [])  // the claim's answer is awaited
    #expect(machine.event(.claimed([shard(0)]), now: 0) == [.release([shard(0)]), .exit(code: 0)])
  }

  @Test func unconfirmedCompletionsAreTriedAgainWhileTheirLeasesAreKept() {
    var machine = Machine(configuration: config(concurrency: 1, heartbeat: 2))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0)]), now: 0)
    #expect(
      machine.event(.executionFinished(shard(0).key, .success(output(0))), now: 1) == [
        .complete([done(0)]), .claim(limit: 1),
      ])
    _ = machine.event(.claimed([]), now: 1)
    // The connection broke: the result is kept, its lease heartbeated, and the completion is
    // tried again after the error delay (1 s).
    #expect(machine.event(.completionFailed([shard(0).key]), now: 1.5) == [])
    #expect(machine.inFlightCount == 1 && machine.heldLeases == [shard(0)])
    #expect(machine.nextDeadline == 2.5)
    #expect(machine.event(.tick, now: 2.4) == [])
    #expect(machine.event(.tick, now: 2.5) == [.complete([done(0)])])
    #expect(machine.event(.completionFinished(accepted: [shard(0).key], rejected: []), now: 2.6) == [])
    #expect(machine.inFlightCount == 0)
  }

  @Test func aDrainGivesUpOnCompletionsThatKeepFailing() {
    var machine = Machine(configuration: config(concurrency: 1, drain: 5))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0)]), now: 0)
    _ = machine.event(.executionFinished(shard(0).key, .success(output(0))), now: 1)
    _ = machine.event(.claimed([]), now: 1)
    _ = machine.event(.completionFailed([shard(0).key]), now: 1.2)
    #expect(machine.event(.shutdownRequested, now: 1.5) == [])
    #expect(machine.event(.tick, now: 2.2) == [.complete([done(0)])])
    #expect(machine.event(.completionFailed([shard(0).key]), now: 2.3) == [])
    #expect(machine.event(.tick, now: 6.5) == [.exit(code: 0)])
  }

  @Test func anExecutionInterruptedByTheDatabaseHandsTheShardBack() {
    var machine = Machine(configuration: config(concurrency: 1))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0)]), now: 0)
    #expect(
      machine.event(.executionFinished(shard(0).key, .interrupted(message: "gone")), now: 1) == [
        .release([shard(0)]), .claim(limit: 1),
      ])
  }

  @Test func aShardRunningPastTheTimeoutIsAbandonedAndFailed() {
    var machine = Machine(configuration: config(concurrency: 2, heartbeat: 100, timeout: 10))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0)]), now: 0)
    _ = machine.event(.claimed([shard(1)]), now: 4)
    #expect(machine.nextDeadline == 10)
    #expect(machine.event(.tick, now: 9.9) == [])
    let actions = machine.event(.tick, now: 10)
    #expect(
      actions == [
        .abandon(shard(0).key),
        .fail(shard(0), error: "execution timed out after 10 s (the call never returned)", retryable: true),
      ])
    // Its slot stays taken (the call may still return), so nothing new is claimed yet.
    #expect(machine.heldLeases == [shard(1)])
    #expect(machine.event(.failReported(shard(0).key), now: 10.1) == [])
    // When the stuck call returns at last, its result is dropped and a slot opens.
    #expect(
      machine.event(.executionFinished(shard(0).key, .success(output(0))), now: 12) == [
        .claim(limit: 1)
      ])
  }

  @Test func aWorkerWhoseExecutorsAreAllStuckExitsForARestart() {
    var machine = Machine(configuration: config(concurrency: 2, prefetch: 1, timeout: 10))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0), shard(1), shard(2)]), now: 0)
    _ = machine.event(.tick, now: 10)  // both time out
    _ = machine.event(.failReported(shard(0).key), now: 10)
    _ = machine.event(.failReported(shard(1).key), now: 10)
    #expect(machine.nextDeadline == 20)
    #expect(machine.event(.tick, now: 19) == [])
    #expect(
      machine.event(.tick, now: 20) == [.release([shard(2)]), .exit(code: Machine.wedgedExitCode)])
    #expect(machine.hasExited)
  }

  @Test func exitWhenIdleDoesNotWaitForAbandonedCalls() {
    var machine = Machine(configuration: config(concurrency: 2, exitWhenIdle: true, timeout: 5))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0)]), now: 0)
    _ = machine.event(.tick, now: 5)
    #expect(machine.event(.failReported(shard(0).key), now: 5) == [])
    // The stuck call holds nothing: an empty claim ends the worker.
    #expect(machine.event(.claimed([]), now: 6) == [.survey])
    #expect(machine.event(.surveyed(nothingLeft), now: 6) == [.exit(code: 0)])
  }

  @Test func exitWhenIdleWaitsForOthersLeasesAndClaimsOneTheMomentItExpires() {
    var machine = Machine(configuration: config(concurrency: 2, poll: 5, exitWhenIdle: true))
    _ = machine.event(.started, now: 0)
    #expect(machine.event(.claimed([]), now: 0) == [.survey])
    // Another worker's lease runs out 1.5 s from now: wait just past it, not a whole poll.
    let outlook = QueueOutlook(leased: 1, nextExpirySeconds: 1.5)
    #expect(machine.event(.surveyed(outlook), now: 0.1) == [.waitForWork(timeout: 1.52)])
    #expect(!machine.hasExited)
    #expect(machine.nextDeadline == 0.1 + 1.52)
    #expect(machine.event(.tick, now: 1) == [])
    #expect(machine.event(.tick, now: 1.62) == [.claim(limit: 2)])
    let lapsed = shard(3, attempt: 2)
    #expect(machine.event(.claimed([lapsed]), now: 1.63) == [.execute(lapsed), .claim(limit: 1)])
    // Nothing more to claim while shard 3 runs: no survey yet; it comes once nothing is in flight.
    #expect(machine.event(.claimed([]), now: 1.64) == [])
    _ = machine.event(.executionFinished(lapsed.key, .success(output(3))), now: 2)
    let completed = Machine.CompletedShard(claim: lapsed, output: output(3))
    #expect(
      machine.event(.completionFinished(accepted: [completed.claim.key], rejected: []), now: 2.1)
        == [.claim(limit: 2)])
    #expect(machine.event(.claimed([]), now: 2.1) == [.survey])
    // A lease far from expiry: the wait is one poll at most.
    #expect(
      machine.event(.surveyed(QueueOutlook(leased: 2, nextExpirySeconds: 50)), now: 2.1) == [
        .waitForWork(timeout: 5)
      ])
    // A notification (a release, a job that finished) cuts the wait short.
    #expect(machine.event(.wakeUp, now: 3) == [.claim(limit: 2)])
    #expect(machine.event(.claimed([]), now: 3) == [.survey])
    #expect(machine.event(.surveyed(nothingLeft), now: 3) == [.exit(code: 0)])
  }

  @Test func exitWhenIdleWaitsForRetriesAndClaimsAtOnceWhenSomethingIsClaimable() {
    var machine = Machine(configuration: config(concurrency: 1, poll: 5, exitWhenIdle: true, grace: 1))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([]), now: 0)
    // A failed shard waits out its retry delay: wait for it, whatever the grace says.
    let retrying = QueueOutlook(retrying: 1, nextRetrySeconds: 3, leased: 1, nextExpirySeconds: 9)
    #expect(machine.event(.surveyed(retrying), now: 0) == [.waitForWork(timeout: 3.02)])
    #expect(machine.event(.tick, now: 3.02) == [.claim(limit: 1)])
    _ = machine.event(.claimed([]), now: 3.02)
    #expect(machine.event(.surveyed(retrying), now: 3.1) == [.waitForWork(timeout: 3.02)])
    // Claimable (a row another claim had locked a moment ago): claim again at once.
    _ = machine.event(.wakeUp, now: 4)
    _ = machine.event(.claimed([]), now: 4)
    #expect(machine.event(.surveyed(QueueOutlook(claimable: true)), now: 4) == [.claim(limit: 1)])
    // The survey can fail: claim again after the error delay, never exit on it.
    _ = machine.event(.claimed([]), now: 4)
    #expect(machine.event(.surveyFailed, now: 4) == [])
    #expect(machine.event(.tick, now: 5) == [.claim(limit: 1)])
  }

  @Test func idleGraceLetsAWorkerThatSeesOnlyLiveLeasesExit() {
    var machine = Machine(configuration: config(concurrency: 1, poll: 5, exitWhenIdle: true, grace: 3))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([]), now: 0)
    let leased = QueueOutlook(leased: 4, nextExpirySeconds: 20)
    // Wait until the grace is over at most.
    #expect(machine.event(.surveyed(leased), now: 0) == [.waitForWork(timeout: 3)])
    #expect(machine.event(.tick, now: 3) == [.claim(limit: 1)])
    #expect(machine.event(.claimed([]), now: 3) == [.survey])
    #expect(machine.event(.surveyed(leased), now: 3) == [.exit(code: 0)])
    // Without a grace it would have waited.
    var patient = Machine(configuration: config(concurrency: 1, poll: 5, exitWhenIdle: true))
    _ = patient.event(.started, now: 0)
    _ = patient.event(.claimed([]), now: 0)
    #expect(patient.event(.surveyed(leased), now: 100) == [.waitForWork(timeout: 5)])
  }

  @Test func aClaimedShardResetsTheGrace() {
    var machine = Machine(configuration: config(concurrency: 1, poll: 5, exitWhenIdle: true, grace: 2))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([]), now: 0)
    let leased = QueueOutlook(leased: 1, nextExpirySeconds: 1)
    #expect(machine.event(.surveyed(leased), now: 0) == [.waitForWork(timeout: 1.02)])
    _ = machine.event(.tick, now: 1.02)
    _ = machine.event(.claimed([shard(0, attempt: 2)]), now: 1.02)
    _ = machine.event(.executionFinished(shard(0).key, .success(output(0))), now: 2.5)
    _ = machine.event(.completionFinished(accepted: [shard(0).key], rejected: []), now: 2.5)
    #expect(machine.event(.claimed([]), now: 2.5) == [.survey])
    // 2.5 s after the first sight of only leases, but a shard came in between: wait again.
    #expect(machine.event(.surveyed(leased), now: 2.5) == [.waitForWork(timeout: 1.02)])
  }

  @Test func aFailedHeartbeatIsTriedAgainAfterTheErrorDelay() {
    var machine = Machine(configuration: config(concurrency: 1, heartbeat: 10))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0, lease: 6)]), now: 0)
    // A third of the 6 s lease: the first heartbeat at 2 s.
    #expect(machine.event(.tick, now: 2) == [.heartbeat([shard(0, lease: 6)])])
    #expect(machine.event(.heartbeatFailed, now: 2.1) == [])
    #expect(machine.nextDeadline == 3.1)
    #expect(machine.event(.tick, now: 3.1) == [.heartbeat([shard(0, lease: 6)])])
    #expect(machine.event(.heartbeatFinished(lost: []), now: 3.1) == [])
    #expect(machine.nextDeadline == 5.1)
  }

  @Test func afterAReconnectTheWorkerRecoversItsLeasesBeforeClaiming() {
    var machine = Machine(configuration: config(concurrency: 2, prefetch: 1, heartbeat: 10))
    _ = machine.event(.started, now: 0)
    _ = machine.event(.claimed([shard(0)]), now: 0)
    // The claim for the remaining slots failed (its reply was lost), then the runtime reconnected.
    #expect(machine.event(.claimFailed, now: 0.1) == [])
    #expect(machine.event(.reconnected, now: 0.2) == [.recover])
    #expect(machine.event(.tick, now: 5) == [])  // no claim until the recovery answers
    // The lost claim had taken shards 1 and 2; shard 0 is known; shard 3 would overflow the
    // slots (2 executors + 1 prefetched) and is handed back.
    let owned = [shard(0), shard(1), shard(2), shard(3)]
    #expect(
      machine.event(.recovered(owned), now: 5) == [.release([shard(3)]), .execute(shard(1))])
    #expect(machine.heldLeases == [shard(0), shard(1), shard(2)])
    // A recovery that fails is tried again after the error delay, before any claim.
    #expect(machine.event(.reconnected, now: 6) == [.recover])
    #expect(machine.event(.recoveryFailed, now: 6) == [])
    #expect(machine.nextDeadline == 7)
    #expect(machine.event(.tick, now: 7) == [.recover])
    #expect(machine.event(.recovered([shard(0), shard(1), shard(2)]), now: 7) == [])
  }

  @Test func recoveryAtStartAndWhileDraining() {
    var machine = Machine(configuration: config(concurrency: 1, recoverOnStart: true))
    #expect(machine.event(.started, now: 0) == [.recover])
    // A shard leased to this worker's identity before it started: it runs, same attempt.
    let earlier = shard(4, attempt: 1)
    #expect(machine.event(.recovered([earlier]), now: 0) == [.execute(earlier)])
    _ = machine.event(.shutdownRequested, now: 1)
    // Draining: whatever else turns up is handed back, and the worker exits once it is.
    #expect(machine.event(.reconnected, now: 1.5) == [.recover])
    #expect(machine.event(.recovered([earlier, shard(5)]), now: 1.6) == [.release([shard(5)])])
    _ = machine.event(.executionFinished(earlier.key, .success(output(4))), now: 2)
    #expect(
      machine.event(.completionFinished(accepted: [earlier.key], rejected: []), now: 2) == [
        .exit(code: 0)
      ])
  }

  /// Random event orders against a simulated queue: every shard is completed exactly once,
  /// never more than `concurrency` execute at once, and the worker exits 0 when idle.
  @Test(arguments: [
    (1, 0, 1, 1, UInt64(1)), (2, 0, 4, 2, 2), (3, 1, 2, 4, 3), (4, 2, 16, 3, 4), (8, 4, 5, 8, 5),
    (2, 3, 1, 1, 6), (5, 0, 2, 16, 7), (3, 3, 3, 3, 8),
  ])
  func randomSequencesCompleteEveryShardOnce(
    concurrency: Int, prefetch: Int, claimBatch: Int, completionBatch: Int, seed: UInt64
  ) throws {
    var random = SplitMix64(seed: seed)
    var machine = Machine(
      configuration: config(
        concurrency: concurrency, prefetch: prefetch, claimBatch: claimBatch,
        completionBatch: completionBatch, completionDelay: 0.5, heartbeat: 2, poll: 1,
        exitWhenIdle: true))
    var queue = Array((0..<60).map { shard($0) }.reversed())
    var executing: [ClaimedShard] = []
    var completed: [ShardKey: Int] = [:]
    var committed = Set<ShardKey>()
    var failures = 0
    var now = 0.0
    var pending = machine.event(.started, now: now)
    var exited = false
    var steps = 0
    while !exited {
      steps += 1
      try #require(steps < 20_000, "the machine stopped making progress")
      if pending.isEmpty {
        // Let the world move: a shard finishes (sometimes failing), or time passes.
        if !executing.isEmpty && random.next() % 3 != 0 {
          let finished = executing.remove(at: Int(random.next() % UInt64(executing.count)))
          let roll = random.next() % 20
          let result: Machine.ExecutionResult =
            roll < 2
            ? .failure(message: "flaky", retryable: true)
            : roll == 2 ? .interrupted(message: "connection lost") : .success(output(finished.index))
          pending = machine.event(.executionFinished(finished.key, result), now: now)
        } else {
          now += Double(random.next() % 100) / 100
          pending = machine.event(.tick, now: now)
        }
        continue
      }
      let action = pending.removeFirst()
      var event: Machine.Event?
      switch action {
      case .claim(let limit):
        #expect(limit >= 1 && limit <= claimBatch)
        let count = min(limit, queue.count, Int(random.next() % UInt64(limit + 1)) + 1)
        event = .claimed((0..<count).map { _ in queue.removeLast() })
      case .execute(let shard):
        executing.append(shard)
        #expect(executing.count <= concurrency)
      case .complete(let batch):
        #expect(batch.count <= completionBatch)
        if random.next() % 8 == 0 {
          // The outcome is unknown; half the time it did commit (a retry is then rejected).
          if random.next() % 2 == 0 {
            for item in batch { completed[item.claim.key, default: 0] += 1 }
            committed.formUnion(batch.map(\.claim.key))
          }
          event = .completionFailed(batch.map(\.claim.key))
        } else {
          let fresh = batch.filter { !committed.contains($0.claim.key) }
          for item in fresh { completed[item.claim.key, default: 0] += 1 }
          committed.formUnion(fresh.map(\.claim.key))
          event = .completionFinished(
            accepted: fresh.map(\.claim.key),
            rejected: batch.filter { !fresh.contains($0) }.map(\.claim.key))
        }
      case .fail(let shard, _, _):
        failures += 1
        queue.insert(shard, at: 0)  // claimable again later
        event = .failReported(shard.key)
      case .heartbeat:
        event = .heartbeatFinished(lost: [])
      case .exit(let code):
        #expect(code == 0)
        exited = true
      case .release(let shards):
        queue.insert(contentsOf: shards, at: 0)  // claimable again later
        event = .releaseFinished
      case .survey:
        // This worker is the whole fleet: what is left is what its queue holds.
        event = .surveyed(QueueOutlook(claimable: !queue.isEmpty))
      case .abandon, .waitForWork, .recover:
        Issue.record("unexpected \(action)")
      }
      if let event { pending += machine.event(event, now: now) }
    }
    #expect(completed.count == 60)
    #expect(completed.values.allSatisfy { $0 == 1 })
    #expect(executing.isEmpty && queue.isEmpty)
  }
}

/// A small seeded generator, so random sequences replay identically.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
