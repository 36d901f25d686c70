import Foundation
import Queue
import Testing

/// A login role in `pixelprobe_worker` (cluster-wide, so named uniquely and dropped afterwards),
/// connected to the shared test schema.
final class WorkerLogin {
  let name: String
  let url: String
  let admin: PGConnection

  init() throws {
    admin = try TestDatabase.connect()
    name = "pp_worker_\(getpid())_\(UUID().uuidString.prefix(8).lowercased())"
    // A role name cannot be a bound parameter; this one is made of characters we chose.
    try admin.execute("CREATE ROLE \(name) LOGIN IN ROLE pixelprobe_worker")
    url = TestDatabase.withOption(try TestDatabase.url(), "user", name)
  }

  func connect() throws -> PGConnection { try TestDatabase.connect(url) }

  deinit {
    _ = try? admin.execute("DROP ROLE IF EXISTS \(name)")
  }
}

@Suite(.enabled(if: !TestDatabase.skipped, "PIXELPROBE_SKIP_DB_TESTS=1"))
struct WorkerRoleTests {
  /// The SQLSTATE of the error `body` throws (nil when it does not throw).
  func sqlstate(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch let error as PGError {
      return error.sqlstate ?? "no sqlstate: \(error)"
    } catch {
      return "not a PGError: \(error)"
    }
  }

  @Test func aWorkerCanReadAlterOrDeleteNothing() throws {
    let login = try WorkerLogin()
    let worker = try login.connect()
    #expect(try worker.query("SELECT current_user").string(0, 0) == login.name)
    let refused = [
      "DELETE FROM jobs", "DELETE FROM shards", "DELETE FROM blobs", "TRUNCATE jobs",
      "UPDATE shards SET state = 'done'", "UPDATE jobs SET state = 'succeeded'",
      "INSERT INTO jobs (kind, spec) VALUES ('x', '{}')", "SELECT spec FROM jobs",
      "SELECT count(*) FROM shards", "SELECT data FROM blobs", "SELECT * FROM shard_attempts",
      "SELECT * FROM schema_migrations", "DROP TABLE jobs", "ALTER TABLE jobs ADD COLUMN x int",
      "CREATE TABLE mine (x int)", "SELECT queue_allow_results('jobs')",
      "SELECT queue_job_error(1, 1, 1)",
    ]
    for statement in refused {
      // 42501: insufficient privilege (or "must be owner", which has the same code).
      #expect(sqlstate { try worker.execute(statement) } == "42501", "\(statement)")
    }
    // What it may do: count the backlog (an autoscaler's query).
    #expect(try worker.query("SELECT queue_backlog()").int64(0, 0) != nil)
  }

  @Test func aWorkerRoleRunsTheWholeProtocolOnItsOwnClaimsOnly() throws {
    let fixture = try QueueFixture("role")
    let job = try fixture.enqueue(shards: 3, questions: 4)
    let login = try WorkerLogin()
    let queue = WorkQueue(connection: try login.connect(), shardRetry: QueueFixture.noDelay)
    let store = PostgresBlobStore()

    let claims = try fixture.claim("role-a", limit: 2, on: queue)
    #expect(claims.map(\.index) == [0, 1])
    #expect(claims[0].spec.contains(fixture.kind))
    let input = try store.input(of: claims[0], on: queue.connection)
    #expect(String(decoding: input, as: UTF8.self) == "shard 0 of \(fixture.kind)")
    // Shard 2 is not held (its attempt is 0 and nobody owns it): its input stays closed.
    var unclaimed = claims[0]
    unclaimed.index = 2
    #expect(throws: BlobStoreError.self) { try store.input(of: unclaimed, on: queue.connection) }
    // A held shard with a wrong owner or attempt is not held either.
    var forged = claims[1]
    forged.owner = "someone-else"
    #expect(throws: BlobStoreError.self) { try store.input(of: forged, on: queue.connection) }

    #expect(try queue.heartbeat(claims).isEmpty)
    try store.put(digest: "test:\(fixture.kind):out", bytes: [1, 2, 3], on: queue.connection)

    // Results go in with the completion; a row for a shard not completed here is refused, and
    // then the whole transaction (the completion too) rolls back.
    #expect(throws: PGError.self) {
      try queue.complete([(claims[0], output(questions: 4))]) { connection, _ in
        try connection.execute(
          "INSERT INTO pvp_shard_stats (job_id, idx, questions, images) VALUES ($1, 2, 4, 1)",
          [.int(job)])
      }
    }
    #expect(try fixture.shardState(job, 0) == "running")
    let accepted = try queue.complete([(claims[0], output(questions: 4))]) { connection, done in
      for claim in done {
        try connection.execute(
          "INSERT INTO pvp_shard_stats (job_id, idx, questions, images) VALUES ($1, $2, 4, 1)",
          [.int(claim.jobID), .int(Int64(claim.index))])
      }
    }
    #expect(accepted == [claims[0].key])
    #expect(
      try fixture.value("SELECT count(*) FROM pvp_shard_stats WHERE job_id = $1", [.int(job)]) == "1")
    #expect(try queue.fail(claims[1], error: "boom", retryable: false) == .dead)
    #expect(try fixture.shardState(job, 1) == "dead")
    let next = try fixture.claim("role-b", on: queue)
    #expect(try queue.release(next) == next.map(\.key))
    #expect(try fixture.attempts(job, 2) == ["1:role-b:released"])
  }

  @Test func resultsAreRefusedOutsideTheCompletingTransactionEvenForTheOwner() throws {
    let fixture = try QueueFixture("guard")
    let job = try fixture.enqueue(shards: 1)
    let claims = try fixture.claim("guard-a")
    try fixture.queue.complete([(claims[0], output())])
    // Done, but by an earlier transaction: a second writer cannot add rows to it later.
    let state = sqlstate {
      try fixture.connection.execute(
        "INSERT INTO pvp_shard_stats (job_id, idx, questions, images) VALUES ($1, 0, 1, 1)",
        [.int(job)])
    }
    #expect(state == "42501")
  }

  /// Two worker logins: the second passes the first's owner name (and, worse, its token) and
  /// still cannot touch the first's shards; nor can a second process of the first login.
  @Test func leasesAreBoundToTheClaimingLoginAndTokenWhateverNameIsPassed() throws {
    let fixture = try QueueFixture("bound")
    let job = try fixture.enqueue(shards: 3, questions: 4)
    let (loginA, loginB) = (try WorkerLogin(), try WorkerLogin())
    let queueA = WorkQueue(connection: try loginA.connect(), shardRetry: QueueFixture.noDelay)
    let queueB = WorkQueue(connection: try loginB.connect(), shardRetry: QueueFixture.noDelay)
    let tokenA = LeaseToken.random()
    let claims = try queueA.claim(owner: "a", token: tokenA, kinds: [fixture.kind], limit: 2)
    #expect(claims.map(\.index) == [0, 1])
    let store = PostgresBlobStore()
    // B as "a" with its own token, B with A's token, and A's login from another process.
    let impostors: [(String, WorkQueue, String)] = [
      ("login B, its own token", queueB, LeaseToken.random()),
      ("login B, A's token", queueB, tokenA),
      ("login A, another process's token", WorkQueue(connection: try loginA.connect()), LeaseToken.random()),
    ]
    for (who, queue, token) in impostors {
      var forged = claims
      for index in forged.indices { forged[index].token = token }
      #expect(try queue.heartbeat(forged) == Set(claims.map(\.key)), "\(who)")
      #expect(try queue.complete([(forged[0], output(questions: 4))]).isEmpty, "\(who)")
      #expect(try queue.fail(forged[1], error: "forged", retryable: false) == .rejected, "\(who)")
      #expect(try queue.release(forged).isEmpty, "\(who)")
      #expect(throws: BlobStoreError.self, "\(who)") { try store.input(of: forged[0], on: queue.connection) }
      #expect(try queue.owned(owner: "a", token: token).isEmpty, "\(who)")
    }
    // Nothing changed: both still running under A, their attempts still A's and open.
    #expect(try fixture.shardState(job, 0) == "running" && fixture.shardState(job, 1) == "running")
    #expect(try fixture.attempts(job, 0) == ["1:a:running"] && fixture.attempts(job, 1) == ["1:a:running"])
    #expect(try fixture.queue.job(job).shardsDone == 0)
    // A itself: its shards, then the whole protocol.
    #expect(try queueA.owned(owner: "a", token: tokenA).map(\.key) == claims.map(\.key))
    #expect(try queueA.heartbeat(claims).isEmpty)
    #expect(try store.input(of: claims[0], on: queueA.connection).count > 0)
    #expect(try queueA.complete([(claims[0], output(questions: 4))]) == [claims[0].key])
    #expect(try queueA.release([claims[1]]) == [claims[1].key])
    #expect(try fixture.attempts(job, 0) == ["1:a:completed"])
    #expect(try fixture.attempts(job, 1) == ["1:a:released"])
    // An empty token claims nothing.
    #expect(throws: PGError.self) { try queueB.claim(owner: "b", token: "", kinds: [fixture.kind], limit: 1) }
  }
}
