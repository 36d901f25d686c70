import Foundation
import Queue
import Synchronization
import Testing

/// A queue over the shared test schema, with jobs of a kind only this test claims.
struct QueueFixture {
  static let noDelay = RetryPolicy(initialDelay: 0, maxDelay: 0, jitter: 0, maxAttempts: nil)
  let connection: PGConnection
  var queue: WorkQueue
  let kind: String

  init(_ label: String) throws {
    connection = try TestDatabase.connect()
    queue = WorkQueue(connection: connection, shardRetry: Self.noDelay)
    kind = TestDatabase.uniqueKind(label)
  }

  /// Another connection's queue, as a second worker would have.
  func otherQueue() throws -> WorkQueue {
    WorkQueue(connection: try TestDatabase.connect(), shardRetry: Self.noDelay)
  }

  @discardableResult
  func enqueue(
    shards: Int, questions: Int = 10, maxAttempts: Int = 3, lease: Int = 60, key: String? = nil
  ) throws -> Int64 {
    let job = NewJob(
      kind: kind, spec: #"{"test":"\#(kind)"}"#, idempotencyKey: key,
      maxAttempts: maxAttempts, leaseSeconds: lease)
    return try queue.enqueue(job, store: PostgresBlobStore()) { sink in
      for index in 0..<shards {
        let bytes = Array("shard \(index) of \(kind)".utf8)
        try sink.add(bytes: bytes, digest: "test:\(kind):\(index)", questions: questions)
      }
    }.jobID
  }

  func claim(_ owner: String, limit: Int = 1, on queue: WorkQueue? = nil) throws -> [ClaimedShard] {
    try (queue ?? self.queue).claim(owner: owner, kinds: [kind], limit: limit)
  }

  func value(_ sql: String, _ params: [PGValue] = []) throws -> String? {
    try connection.query(sql, params).string(0, 0)
  }

  func shardState(_ job: Int64, _ index: Int) throws -> String? {
    try value("SELECT state FROM shards WHERE job_id = $1 AND idx = $2", [.int(job), .int(Int64(index))])
  }

  /// `attempt:owner:outcome` rows of a shard, in attempt order.
  func attempts(_ job: Int64, _ index: Int) throws -> [String] {
    let rows = try connection.query(
      "SELECT attempt, owner, outcome FROM shard_attempts WHERE job_id = $1 AND idx = $2 ORDER BY attempt",
      [.int(job), .int(Int64(index))])
    return (0..<rows.count).map {
      "\(rows.int($0, 0) ?? 0):\(rows.string($0, 1) ?? ""):\(rows.string($0, 2) ?? "")"
    }
  }
}

/// SHA-256 of a string's UTF-8 bytes in hex, as sha256sum prints it (an independent reference for
/// the database's `job_key_digest`).
func sha256Hex(_ text: String) throws -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
  let input = Pipe()
  let output = Pipe()
  process.standardInput = input
  process.standardOutput = output
  try process.run()
  input.fileHandleForWriting.write(Data(text.utf8))
  try input.fileHandleForWriting.close()
  let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()
  return String(printed.prefix(64))
}

func output(questions: Int = 10) -> ShardOutput {
  ShardOutput(outputDigest: nil, outputSize: nil, questions: questions)
}

@Suite(.enabled(if: !TestDatabase.skipped, "PIXELPROBE_SKIP_DB_TESTS=1"))
struct WorkQueueTests {
  @Test func enqueueStoresJobShardsAndBlobs() throws {
    let fixture = try QueueFixture("enqueue")
    let job = try fixture.enqueue(shards: 5, questions: 7)
    let progress = try fixture.queue.job(job)
    #expect(progress.kind == fixture.kind && progress.state == "running")
    #expect(progress.totalShards == 5 && progress.shardsAvailable == 5)
    #expect(progress.totalQuestions == 35 && progress.questionsDone == 0)
    let blob = try PostgresBlobStore().get(digest: "test:\(fixture.kind):3", on: fixture.connection)
    #expect(String(decoding: blob, as: UTF8.self) == "shard 3 of \(fixture.kind)")
    #expect(
      try fixture.value("SELECT input_size FROM shards WHERE job_id = $1 AND idx = 3", [.int(job)])
        == "\(blob.count)")
  }

  @Test func sameIdempotencyKeyReturnsTheExistingJobWithoutBuilding() throws {
    let fixture = try QueueFixture("idem")
    let key = "key-\(fixture.kind)"
    let first = try fixture.enqueue(shards: 3, key: key)
    let built = Mutex(false)
    let again = try fixture.queue.enqueue(
      NewJob(kind: fixture.kind, spec: "{}", idempotencyKey: key), store: PostgresBlobStore()
    ) { sink in
      built.withLock { $0 = true }
      try sink.add(bytes: [1], digest: "test:never", questions: 1)
    }
    #expect(again == EnqueueResult(jobID: first, created: false, shards: 3, questions: 30))
    #expect(built.withLock { $0 } == false)
    #expect(
      try fixture.value("SELECT count(*) FROM jobs WHERE idempotency_key = job_key_digest($1)", [.text(key)])
        == "1")
    #expect(try fixture.value("SELECT count(*) FROM blobs WHERE digest = 'test:never'") == "0")
    // The row keeps the key's SHA-256, as sha256sum computes it, not the key itself.
    #expect(
      try fixture.value("SELECT idempotency_key FROM jobs WHERE id = $1", [.int(first)])
        == (try sha256Hex(key)))
  }

  @Test func aKeyOfAnyLengthIsOneJob() throws {
    let fixture = try QueueFixture("idemlong")
    // Past PostgreSQL's btree limit (about 2,700 bytes) many times over, and not ASCII.
    let key = String(repeating: "ключ-\(fixture.kind)-", count: 10_000 / (fixture.kind.count + 6) + 1)
    #expect(key.utf8.count > 10_000)
    let first = try fixture.enqueue(shards: 2, key: key)
    let again = try fixture.enqueue(shards: 5, key: key)
    #expect(again == first)
    let other = try fixture.enqueue(shards: 1, key: key + "!")
    #expect(other != first)
    #expect(try fixture.value("SELECT total_shards FROM jobs WHERE id = $1", [.int(first)]) == "2")
    #expect(
      try fixture.value("SELECT idempotency_key FROM jobs WHERE id = $1", [.int(first)])
        == (try sha256Hex(key)))
  }

  @Test func aHugeSpecIsItsOwnKey() throws {
    let fixture = try QueueFixture("idemspec")
    // A spec like an eval-re job's over 1,000 long image names: its text is about 200 KB.
    let names = (0..<1000).map { "\"\(String(repeating: "n", count: 180))-\($0).png\"" }
    let spec = #"{"images":["# + names.joined(separator: ",") + "]}"
    let key = "\(fixture.kind):\(spec)"
    let job = NewJob(kind: fixture.kind, spec: spec, idempotencyKey: key)
    let made = try fixture.queue.enqueue(job, store: PostgresBlobStore()) { sink in
      try sink.add(bytes: [7], digest: "test:\(fixture.kind):0", questions: 4)
    }
    let found = try fixture.queue.enqueue(job, store: PostgresBlobStore()) { _ in
      Issue.record("an identical spec must find the first job")
    }
    #expect(made.created && !found.created && found.jobID == made.jobID)
    #expect(
      try fixture.value(
        "SELECT jsonb_array_length(spec->'images') FROM jobs WHERE id = $1", [.int(made.jobID)])
        == "1000")
  }

  @Test func concurrentEnqueuesWithOneKeyMakeOneJob() throws {
    let fixture = try QueueFixture("idemrace")
    let key = "race-\(fixture.kind)"
    let results = Mutex<[EnqueueResult]>([])
    let kind = fixture.kind
    try runThreads(4) { _ in
      let queue = WorkQueue(connection: try TestDatabase.connect())
      let result = try queue.enqueue(
        NewJob(kind: kind, spec: "{}", idempotencyKey: key), store: PostgresBlobStore()
      ) { sink in
        for index in 0..<20 {
          try sink.add(bytes: [UInt8(index)], digest: "test:\(kind):\(index)", questions: 2)
        }
      }
      results.withLock { $0.append(result) }
    }
    let all = results.withLock { $0 }
    #expect(all.count == 4 && Set(all.map(\.jobID)).count == 1)
    #expect(all.filter(\.created).count == 1)
    #expect(all.allSatisfy { $0.shards == 20 && $0.questions == 40 })
    #expect(try fixture.value("SELECT count(*) FROM shards WHERE job_id = $1", [.int(all[0].jobID)]) == "20")
  }

  @Test func aBigJobIsCopiedInChunks() throws {
    var fixture = try QueueFixture("big")
    fixture.queue.copyChunk = 64
    let job = try fixture.queue.enqueue(
      NewJob(kind: fixture.kind, spec: "{}", totalQuestions: 3_600_000), store: PostgresBlobStore()
    ) { sink in
      for index in 0..<360 {
        try sink.add(bytes: [1, 2, 3], digest: "test:\(fixture.kind):\(index)", questions: 10_000)
      }
    }
    #expect(job.shards == 360 && job.questions == 3_600_000)
    let progress = try fixture.queue.job(job.jobID)
    #expect(progress.totalShards == 360 && progress.shardsAvailable == 360)
    #expect(progress.totalQuestions == 3_600_000)
    #expect(
      try fixture.value(
        "SELECT min(idx) || '-' || max(idx) || ':' || sum(questions) FROM shards WHERE job_id = $1",
        [.int(job.jobID)]) == "0-359:3600000")
  }

  @Test func shardInputsCanLiveInAFileStore() throws {
    let fixture = try QueueFixture("filestore")
    let root = NSTemporaryDirectory() + "pp-queue-blobs-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: root) }
    let store = FileBlobStore(root: root)
    let digest = "sha256:" + String(repeating: "ab", count: 32)
    try fixture.queue.enqueue(NewJob(kind: fixture.kind, spec: "{}"), store: store) { sink in
      try sink.add(bytes: Array("file input".utf8), digest: digest, questions: 1)
    }
    let claim = try #require(try fixture.claim("w").first)
    #expect(claim.inputDigest == digest && claim.inputSize == 10)
    #expect(try store.get(digest: claim.inputDigest, on: fixture.connection) == Array("file input".utf8))
    #expect(try fixture.value("SELECT count(*) FROM blobs WHERE digest = $1", [.text(digest)]) == "0")
  }

  @Test func aFailingEnqueueLeavesNothingBehind() throws {
    let fixture = try QueueFixture("enqfail")
    struct PlannerBroke: Error {}
    #expect(throws: PlannerBroke.self) {
      try fixture.queue.enqueue(NewJob(kind: fixture.kind, spec: "{}"), store: PostgresBlobStore()) {
        sink in
        for index in 0..<1500 {  // past the first COPY chunk
          try sink.add(bytes: [UInt8(index % 256)], digest: "test:\(fixture.kind):\(index)", questions: 1)
        }
        throw PlannerBroke()
      }
    }
    let mismatch = try #require(throws: QueueError.self) {
      try fixture.queue.enqueue(
        NewJob(kind: fixture.kind, spec: "{}", totalQuestions: 99), store: PostgresBlobStore()
      ) { sink in try sink.add(bytes: [1], digest: "test:\(fixture.kind):m", questions: 3) }
    }
    #expect(mismatch.code == .invalidArgument)
    #expect(throws: PGError.self) {  // the spec is not JSON
      try fixture.queue.enqueue(NewJob(kind: fixture.kind, spec: "{oops"), store: PostgresBlobStore()) { _ in
      }
    }
    #expect(try fixture.value("SELECT count(*) FROM jobs WHERE kind = $1", [.text(fixture.kind)]) == "0")
    #expect(
      try fixture.value(
        "SELECT count(*) FROM blobs WHERE digest LIKE $1", [.text("test:\(fixture.kind):%")]) == "0")
    #expect(try fixture.claim("w").isEmpty)
  }

  @Test func anEmptyJobSucceedsAtOnce() throws {
    let fixture = try QueueFixture("empty")
    let job = try fixture.enqueue(shards: 0)
    #expect(try fixture.queue.job(job).state == "succeeded")
  }

  @Test func claimCompleteRecordsOutputsCountersAndFinishesTheJob() throws {
    let fixture = try QueueFixture("complete")
    let job = try fixture.enqueue(shards: 3, questions: 4)
    let claims = try fixture.claim("w1", limit: 10)
    #expect(claims.map(\.index) == [0, 1, 2])
    #expect(claims.allSatisfy { $0.attempt == 1 && $0.owner == "w1" && $0.kind == fixture.kind })
    #expect(claims[1].inputDigest == "test:\(fixture.kind):1" && claims[1].questions == 4)
    #expect(claims[0].spec.contains(fixture.kind) && claims[0].leaseSeconds == 60)
    let written = Mutex<[Int]>([])
    let accepted = try fixture.queue.complete(
      claims.map {
        ($0, ShardOutput(outputDigest: "out\($0.index)", outputSize: 100 + $0.index, questions: 4))
      }
    ) { connection, accepted in
      try connection.query("SELECT 1")  // the caller's writes run on the completing connection
      written.withLock { $0 += accepted.map(\.index) }
    }
    #expect(accepted.map(\.index).sorted() == [0, 1, 2])
    #expect(written.withLock { $0 }.sorted() == [0, 1, 2])
    let progress = try fixture.queue.job(job)
    #expect(progress.state == "succeeded" && progress.shardsDone == 3 && progress.questionsDone == 12)
    #expect(progress.finishedAt != nil && progress.startedAt != nil)
    #expect(
      try fixture.value(
        "SELECT output_digest || ':' || output_size FROM shards WHERE job_id = $1 AND idx = 2", [.int(job)])
        == "out2:102")
    #expect(try fixture.attempts(job, 1) == ["1:w1:completed"])
  }

  @Test func eightConcurrentClaimersDrainTwoThousandShardsCompletingEachOnce() throws {
    let fixture = try QueueFixture("drain")
    let job = try fixture.enqueue(shards: 2000, questions: 3)
    let completed = Mutex<[ShardKey]>([])
    let kind = fixture.kind
    try runThreads(8) { worker in
      let queue = WorkQueue(connection: try TestDatabase.connect())
      while true {
        let claims = try queue.claim(owner: "w\(worker)", kinds: [kind], limit: 7)
        if claims.isEmpty { break }
        let accepted = try queue.complete(claims.map { ($0, output(questions: 3)) })
        completed.withLock { $0 += accepted }
      }
    }
    let keys = completed.withLock { $0 }
    #expect(keys.count == 2000)
    #expect(Set(keys).count == 2000)
    let rows = try fixture.connection.query(
      """
      SELECT count(*), count(DISTINCT idx), coalesce(max(n), 0) FROM (
        SELECT idx, count(*) AS n FROM shard_attempts
        WHERE job_id = $1 AND outcome = 'completed' GROUP BY idx) AS c
      """, [.int(job)])
    #expect(rows.int(0, 0) == 2000 && rows.int(0, 1) == 2000 && rows.int(0, 2) == 1)
    let progress = try fixture.queue.job(job)
    #expect(progress.state == "succeeded" && progress.shardsDone == 2000)
    #expect(progress.questionsDone == 6000)
  }

  @Test func anExpiredLeaseIsReclaimedAndTheLateCompletionRejected() throws {
    let fixture = try QueueFixture("lease")
    let job = try fixture.enqueue(shards: 1, lease: 1)
    let first = try #require(try fixture.claim("slow").first)
    #expect(try fixture.claim("fast").isEmpty)  // still leased
    Thread.sleep(forTimeInterval: 1.2)
    let other = try fixture.otherQueue()
    let second = try #require(try fixture.claim("fast", on: other).first)
    #expect(second.key == first.key && second.attempt == 2)
    #expect(try fixture.attempts(job, 0) == ["1:slow:expired", "2:fast:running"])
    // The slow worker finishes late: rejected, and its results are not written.
    let wrote = Mutex(false)
    let late = try fixture.queue.complete([(first, output())]) { _, accepted in
      if !accepted.isEmpty { wrote.withLock { $0 = true } }
    }
    #expect(late.isEmpty && wrote.withLock { $0 } == false)
    #expect(try fixture.shardState(job, 0) == "running")
    #expect(try other.complete([(second, output())]) == [second.key])
    #expect(try fixture.attempts(job, 0) == ["1:slow:rejected", "2:fast:completed"])
    #expect(try fixture.queue.job(job).state == "succeeded")
    #expect(try fixture.queue.job(job).questionsDone == 10)
  }

  @Test func heartbeatsExtendLeasesAndReportLostOnes() throws {
    let fixture = try QueueFixture("heartbeat")
    let job = try fixture.enqueue(shards: 2, lease: 2)
    let claims = try fixture.claim("holder", limit: 2)
    let lease =
      "SELECT extract(epoch FROM lease_expires_at)::float8 FROM shards WHERE job_id = $1 AND idx = 0"
    let first = try fixture.connection.query(lease, [.int(job)]).double(0, 0) ?? 0
    for _ in 0..<6 {
      Thread.sleep(forTimeInterval: 0.4)
      #expect(try fixture.queue.heartbeat(claims).isEmpty)
    }
    // 2.4 s after the claim, the 2 s leases still hold, pushed on by the heartbeats.
    let extended = try fixture.connection.query(lease, [.int(job)]).double(0, 0) ?? 0
    #expect(extended - first >= 2)
    #expect(try fixture.claim("thief").isEmpty)
    Thread.sleep(forTimeInterval: 2.3)
    let stolen = try fixture.claim("thief", limit: 1)
    #expect(stolen.map(\.index) == [0])
    #expect(try fixture.queue.heartbeat(claims) == [claims[0].key])
    #expect(try fixture.shardState(job, 1) == "running")
  }

  @Test func retryableFailuresRetryThenTheShardDiesAndTheJobFails() throws {
    let fixture = try QueueFixture("dead")
    let job = try fixture.enqueue(shards: 2, maxAttempts: 2)
    let firstTry = try fixture.claim("w", limit: 2)
    #expect(
      try fixture.queue.fail(firstTry[0], error: "flaky disk", retryable: true) == .retrying(afterSeconds: 0))
    #expect(try fixture.shardState(job, 0) == "failed")
    #expect(try fixture.queue.complete([(firstTry[1], output())]).count == 1)
    let secondTry = try #require(try fixture.claim("w").first)
    #expect(secondTry.index == 0 && secondTry.attempt == 2)
    #expect(try fixture.queue.fail(secondTry, error: "flaky disk again", retryable: true) == .dead)
    #expect(try fixture.claim("w").isEmpty)
    let progress = try fixture.queue.job(job)
    #expect(progress.state == "failed" && progress.shardsDead == 1 && progress.shardsDone == 1)
    #expect(progress.errors == ["shard 0: flaky disk again"])
    #expect(progress.error == "1 of 2 shard(s) dead; shard 0: flaky disk again")
    #expect(try fixture.attempts(job, 0) == ["1:w:failed", "2:w:failed"])
    // A second report of the same attempt changes nothing.
    #expect(try fixture.queue.fail(secondTry, error: "again", retryable: true) == .rejected)
  }

  @Test func aNonRetryableFailureKillsAtOnce() throws {
    let fixture = try QueueFixture("fatal")
    let job = try fixture.enqueue(shards: 1, maxAttempts: 5)
    let claim = try #require(try fixture.claim("w").first)
    #expect(try fixture.queue.fail(claim, error: "bad image", retryable: false) == .dead)
    #expect(try fixture.queue.job(job).state == "failed")
  }

  @Test func aLeaseExpiringOnTheLastAttemptKillsTheShard() throws {
    let fixture = try QueueFixture("expiredead")
    let job = try fixture.enqueue(shards: 2, maxAttempts: 1, lease: 1)
    let claims = try fixture.claim("crashy", limit: 1)
    #expect(claims.count == 1)
    Thread.sleep(forTimeInterval: 1.2)
    // The expired shard is buried; the claim goes on to the next one.
    let next = try fixture.claim("w", limit: 1)
    #expect(next.map(\.index) == [1])
    #expect(try fixture.shardState(job, 0) == "dead")
    #expect(
      try fixture.value("SELECT error FROM shards WHERE job_id = $1 AND idx = 0", [.int(job)])
        == "lease expired 1 times")
    #expect(try fixture.attempts(job, 0) == ["1:crashy:expired"])
    #expect(try fixture.queue.complete([(next[0], output())]).count == 1)
    let progress = try fixture.queue.job(job)
    #expect(progress.state == "failed")
    #expect(progress.error == "1 of 2 shard(s) dead; shard 0: lease expired 1 times")
  }

  @Test func releaseHandsShardsBackWithoutBurningAttempts() throws {
    let fixture = try QueueFixture("release")
    let job = try fixture.enqueue(shards: 2, maxAttempts: 1)
    let claims = try fixture.claim("leaving", limit: 2)
    #expect(try fixture.queue.release(claims) == claims.map(\.key))
    #expect(try fixture.queue.release(claims).isEmpty)  // idempotent
    #expect(try fixture.attempts(job, 0) == ["1:leaving:released"])
    let again = try fixture.claim("staying", limit: 2)
    #expect(again.map(\.attempt) == [2, 2])
    // One attempt allowed, yet claimed a second time: the released attempt did not count.
    #expect(try fixture.queue.complete(again.map { ($0, output()) }).count == 2)
    #expect(try fixture.queue.job(job).state == "succeeded")
  }

  @Test func retryBringsDeadShardsBackWithAFreshBudget() throws {
    let fixture = try QueueFixture("retry")
    let job = try fixture.enqueue(shards: 2, maxAttempts: 1)
    let claims = try fixture.claim("w", limit: 2)
    #expect(try fixture.queue.fail(claims[0], error: "oops", retryable: true) == .dead)
    try fixture.queue.complete([(claims[1], output())])
    #expect(try fixture.queue.job(job).state == "failed")
    #expect(try fixture.queue.retry(jobID: job) == 1)
    let progress = try fixture.queue.job(job)
    #expect(progress.state == "running" && progress.shardsDead == 0 && progress.error == nil)
    let again = try #require(try fixture.claim("w").first)
    #expect(again.index == 0 && again.attempt == 2)
    try fixture.queue.complete([(again, output())])
    #expect(try fixture.queue.job(job).state == "succeeded")
    #expect(try fixture.queue.retry(jobID: job) == 0)
    #expect(throws: QueueError.self) { try fixture.queue.retry(jobID: -1) }
  }

  @Test func cancelStopsClaimsLosesLeasesAndRejectsCompletions() throws {
    let fixture = try QueueFixture("cancel")
    let job = try fixture.enqueue(shards: 4)
    let claims = try fixture.claim("w", limit: 2)
    try fixture.queue.complete([(claims[0], output())])
    #expect(try fixture.queue.cancel(jobID: job) == true)
    #expect(try fixture.queue.cancel(jobID: job) == false)
    #expect(try fixture.claim("w", limit: 10).isEmpty)
    #expect(try fixture.queue.heartbeat([claims[1]]) == [claims[1].key])
    #expect(try fixture.queue.complete([(claims[1], output())]).isEmpty)
    let progress = try fixture.queue.job(job)
    #expect(progress.state == "cancelled" && progress.shardsDone == 1 && progress.shardsCancelled == 3)
    #expect(try fixture.attempts(job, 1) == ["1:w:cancelled"])
    #expect(throws: QueueError.self) { try fixture.queue.cancel(jobID: -1) }
    // Retry resumes a cancelled job.
    #expect(try fixture.queue.retry(jobID: job) == 3)
    #expect(try fixture.claim("w", limit: 10).count == 3)
  }

  @Test func claimsHonourKindsAndSkipOtherJobs() throws {
    let fixture = try QueueFixture("kinds")
    try fixture.enqueue(shards: 2)
    let other = TestDatabase.uniqueKind("other")
    #expect(try fixture.queue.claim(owner: "w", kinds: [other], limit: 10).isEmpty)
    #expect(try fixture.queue.claim(owner: "w", kinds: [other, fixture.kind], limit: 10).count == 2)
  }

  @Test func statusReportsRatesAndDeadErrors() throws {
    let fixture = try QueueFixture("status")
    let job = try fixture.enqueue(shards: 4, questions: 5, maxAttempts: 1)
    let claims = try fixture.claim("w", limit: 3)
    try fixture.queue.complete([(claims[0], output(questions: 5))])
    try fixture.queue.fail(claims[1], error: "broken", retryable: false)
    let progress = try fixture.queue.job(job)
    #expect(progress.shardsDone == 1 && progress.shardsDead == 1 && progress.shardsRunning == 1)
    #expect(progress.shardsAvailable == 1 && progress.questionsDone == 5)
    #expect(progress.errors == ["shard 1: broken"])
    #expect((progress.elapsedSeconds ?? -1) >= 0)
    if let rate = progress.questionsPerSecond, let eta = progress.etaSeconds {
      #expect(abs(eta - 15 / rate) < 1e-6)
    }
    #expect(try fixture.queue.status().contains { $0.jobID == job })
    #expect(throws: QueueError.self) { try fixture.queue.job(-5) }
  }

  @Test func theOutlookSaysWhatIsLeftOfAKind() throws {
    let fixture = try QueueFixture("outlook")
    let job = try fixture.enqueue(shards: 3, lease: 60)
    var outlook = try fixture.queue.outlook(kinds: [fixture.kind])
    #expect(outlook == QueueOutlook(claimable: true))
    let claims = try fixture.claim("w", limit: 3)
    outlook = try fixture.queue.outlook(kinds: [fixture.kind])
    #expect(!outlook.claimable && outlook.leased == 3 && outlook.retrying == 0)
    let expiry = try #require(outlook.nextExpirySeconds)
    #expect(expiry > 58 && expiry <= 60, "\(expiry)")
    // A retryable failure with a 30 s delay: waiting for its retry, not claimable.
    var slow = fixture.queue
    slow.shardRetry = RetryPolicy(initialDelay: 30, maxDelay: 30, jitter: 0, maxAttempts: nil)
    #expect(try slow.fail(claims[0], error: "flaky", retryable: true) == .retrying(afterSeconds: 30))
    try fixture.queue.complete([(claims[1], output()), (claims[2], output())])
    outlook = try fixture.queue.outlook(kinds: [fixture.kind])
    #expect(!outlook.claimable && outlook.leased == 0 && outlook.retrying == 1)
    let retry = try #require(outlook.nextRetrySeconds)
    #expect(retry > 28 && retry <= 30, "\(retry)")
    #expect(!outlook.finished)
    // Other kinds see none of it; a cancelled job leaves nothing behind.
    #expect(try fixture.queue.outlook(kinds: [fixture.kind + "-other"]).finished)
    try fixture.queue.cancel(jobID: job)
    #expect(try fixture.queue.outlook(kinds: [fixture.kind]).finished)
  }

  @Test func statusMarksExpiredLeasesAndGivesAStrandedJobNoETA() throws {
    let fixture = try QueueFixture("stranded")
    let job = try fixture.enqueue(shards: 3, questions: 10, lease: 1)
    let claims = try fixture.claim("w", limit: 3)
    try fixture.queue.complete([(claims[0], output()), (claims[1], output())])
    // Shard 2's worker is alive (its lease holds): an ETA from the live rate.
    var progress = try fixture.queue.job(job)
    #expect(progress.leasesExpired == 0 && progress.shardsRunning == 1)
    let elapsed = try #require(progress.elapsedSeconds)
    let eta = try #require(progress.etaSeconds)
    #expect(abs(eta - 10 / (20 / min(elapsed, JobProgress.liveWindow))) < 1e-6)
    // Its worker died: the lease runs out, the shard is stranded, and no ETA pretends otherwise.
    Thread.sleep(forTimeInterval: 1.2)
    progress = try fixture.queue.job(job)
    #expect(progress.leasesExpired == 1 && progress.shardsRunning == 1)
    #expect(progress.etaSeconds == nil)
    #expect(progress.state == "running" && progress.questionsDone == 20)
    // Once another worker claims it, the lease is live again.
    #expect(try fixture.claim("v").map(\.index) == [2])
    #expect(try fixture.queue.job(job).leasesExpired == 0)
  }
}
