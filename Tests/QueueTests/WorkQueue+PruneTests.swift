import Foundation
import Queue
import Testing

@Suite(.enabled(if: !TestDatabase.skipped, "PIXELPROBE_SKIP_DB_TESTS=1"))
struct WorkQueuePruneTests {
  /// Enqueues a job of `shards` whose blobs have the given digests, completes every shard with a
  /// result row, and backdates its end (and its blobs) by `days`.
  func finishedJob(_ fixture: QueueFixture, digests: [String], days: Int) throws -> Int64 {
    let job = try fixture.queue.enqueue(
      NewJob(kind: fixture.kind, spec: "{}", idempotencyKey: UUID().uuidString),
      store: PostgresBlobStore()
    ) { sink in
      for digest in digests { try sink.add(bytes: Array(digest.utf8), digest: digest, questions: 1) }
    }.jobID
    let claims = try fixture.claim("prune", limit: digests.count)
    try fixture.queue.complete(claims.map { ($0, output(questions: 1)) }) { connection, done in
      for claim in done {
        try connection.execute(
          "INSERT INTO pvp_shard_stats (job_id, idx, questions, images) VALUES ($1, $2, 1, 1)",
          [.int(claim.jobID), .int(Int64(claim.index))])
      }
    }
    try fixture.connection.execute(
      "UPDATE jobs SET finished_at = now() - make_interval(days => $2) WHERE id = $1",
      [.int(job), .int(Int64(days))])
    try fixture.connection.execute(
      "UPDATE blobs SET created_at = now() - make_interval(days => $2) WHERE digest = ANY ($1::text[])",
      [.array(digests), .int(Int64(days))])
    return job
  }

  func count(_ fixture: QueueFixture, _ sql: String, _ job: Int64) throws -> Int {
    Int(try fixture.value(sql, [.int(job)]) ?? "-1") ?? -1
  }

  @Test func pruneRemovesOldFinishedJobsTheirRowsAndUnreferencedBlobsOnly() throws {
    let fixture = try QueueFixture("prune")
    let tag = fixture.kind
    // Old and finished: pruned. Its second blob is shared with a running job, so it stays.
    let old = try finishedJob(fixture, digests: ["\(tag):a", "\(tag):shared"], days: 10)
    // Finished, but recently: stays.
    let recent = try finishedJob(fixture, digests: ["\(tag):b"], days: 1)
    // Running, created long ago: stays.
    let running = try fixture.enqueue(shards: 1)
    try fixture.connection.execute(
      "UPDATE shards SET input_digest = $2 WHERE job_id = $1", [.int(running), .text("\(tag):shared")])
    try fixture.connection.execute(
      "UPDATE jobs SET created_at = now() - interval '30 days' WHERE id = $1", [.int(running)])

    let dry = try fixture.queue.prune(olderThan: 7 * 86_400, dryRun: true)
    #expect(dry.dryRun && dry.jobs == 1 && dry.shards == 2 && dry.attempts == 2)
    #expect(dry.blobs == 1 && dry.blobBytes == Int64("\(tag):a".utf8.count))
    #expect(try count(fixture, "SELECT count(*) FROM shards WHERE job_id = $1", old) == 2)

    let done = try fixture.queue.prune(olderThan: 7 * 86_400, dryRun: false)
    #expect(
      done
        == WorkQueue.PruneReport(
          dryRun: false, jobs: 1, shards: 2, attempts: 2, blobs: 1, blobBytes: dry.blobBytes))
    for sql in [
      "SELECT count(*) FROM jobs WHERE id = $1", "SELECT count(*) FROM shards WHERE job_id = $1",
      "SELECT count(*) FROM shard_attempts WHERE job_id = $1",
      "SELECT count(*) FROM pvp_shard_stats WHERE job_id = $1",
    ] {
      #expect(try count(fixture, sql, old) == 0, "\(sql)")
    }
    #expect(try count(fixture, "SELECT count(*) FROM pvp_shard_stats WHERE job_id = $1", recent) == 1)
    #expect(try count(fixture, "SELECT count(*) FROM shards WHERE job_id = $1", running) == 1)
    let blobs = try fixture.connection.query(
      "SELECT digest FROM blobs WHERE digest LIKE $1 ORDER BY digest", [.text("\(tag):%")])
    #expect((0..<blobs.count).map { blobs.string($0, 0) } == ["\(tag):b", "\(tag):shared"])
    // Nothing left to prune: a second run finds nothing.
    let again = try fixture.queue.prune(olderThan: 7 * 86_400, dryRun: false)
    #expect(again.jobs == 0 && again.blobs == 0)
    try fixture.queue.vacuum()
  }
}
