extension WorkQueue {
  /// Completes a batch in ONE transaction: marks done the shards whose lease still holds
  /// (fenced on state, attempt and owner), runs `writeResults` for those ACCEPTED claims only (the
  /// caller writes metrics rows in the same transaction), records every attempt's outcome
  /// (`completed`, or `rejected` for a late completion), updates the job counters once per job,
  /// and finishes jobs whose shards are all done or dead. Returns the accepted keys.
  @discardableResult
  public func complete(
    _ items: [(ClaimedShard, ShardOutput)],
    writeResults: (PGConnection, [ClaimedShard]) throws -> Void = { _, _ in }
  ) throws -> [ShardKey] {
    guard !items.isEmpty else { return [] }
    let claims = items.map(\.0)
    let outputs = items.map(\.1)
    return try keyedTransaction { connection in
      let rows = try connection.query(
        Self.completeSQL,
        Self.fenceParams(claims) + [
          .array(outputs.map(\.outputDigest)),
          .array(outputs.map { Int64($0.outputSize ?? -1) }),
          .array(outputs.map(\.questions)),
        ], prepared: true)
      var accepted = Set<ShardKey>()
      for row in 0..<rows.count {
        if let jobID = rows.int64(row, 0), let index = rows.int(row, 1) {
          accepted.insert(ShardKey(jobID: jobID, index: index))
        }
      }
      let acceptedClaims = claims.filter { accepted.contains($0.key) }
      if !acceptedClaims.isEmpty { try writeResults(connection, acceptedClaims) }
      for claim in claims where !accepted.contains(claim.key) {
        logger?.info(
          "completion rejected: the lease was lost",
          metadata: [
            "job.id": "\(claim.jobID)", "shard.index": "\(claim.index)",
            "shard.attempt": "\(claim.attempt)",
          ])
      }
      return acceptedClaims.map(\.key)
    }
  }

  /// Reports a failed attempt (fenced). Retryable with attempts left: `failed`, claimable again
  /// after the `shardRetry` delay. Otherwise `dead`, the error kept on the shard (and the job
  /// finished when nothing else is left). A lease no longer held changes nothing: `.rejected`.
  @discardableResult
  public func fail(_ claim: ClaimedShard, error: String, retryable: Bool) throws -> ShardFate {
    var generator = SystemRandomNumberGenerator()
    let delay = shardRetry.delay(after: claim.attempt, using: &generator)
    return try connection.transaction { connection in
      let rows = try connection.query(
        """
        WITH f AS (
          UPDATE shards s SET
            state = CASE WHEN $5 AND s.attempt < s.attempt_limit THEN 'failed' ELSE 'dead' END,
            retry_at = CASE WHEN $5 AND s.attempt < s.attempt_limit
                            THEN now() + make_interval(secs => $6) END,
            finished_at = CASE WHEN $5 AND s.attempt < s.attempt_limit THEN NULL ELSE now() END,
            lease_expires_at = NULL, error = $7
          WHERE s.job_id = $1 AND s.idx = $2 AND s.state = 'running' AND s.attempt = $3
            AND s.lease_owner = $4
          RETURNING s.state
        ),
        a AS (
          UPDATE shard_attempts SET outcome = 'failed', ended_at = now(), error = $7
          WHERE job_id = $1 AND idx = $2 AND attempt = $3 AND owner = $4
            AND EXISTS (SELECT 1 FROM f)
        )
        SELECT state FROM f
        """,
        [
          .int(claim.jobID), .int(Int64(claim.index)), .int(Int64(claim.attempt)),
          .text(claim.owner), .bool(retryable), .double(delay), .text(error),
        ])
      switch rows.string(0, 0) {
      case "failed"?:
        return .retrying(afterSeconds: delay)
      case "dead"?:
        try connection.execute(Self.countDeadSQL, [.int(claim.jobID), .int(1)])
        logger?.info(
          "shard dead",
          metadata: [
            "job.id": "\(claim.jobID)", "shard.index": "\(claim.index)",
            "shard.attempt": "\(claim.attempt)", "error": "\(error)",
          ])
        return .dead
      default:
        return .rejected
      }
    }
  }

  /// Hands shards back (graceful shutdown): available again at once, the attempt recorded as
  /// `released`, and the attempt budget raised by one so that handing back costs nothing.
  /// Returns the keys released (those whose lease still held).
  @discardableResult
  public func release(_ claims: [ClaimedShard]) throws -> [ShardKey] {
    guard !claims.isEmpty else { return [] }
    let rows = try keyedTransaction { connection in
      try connection.query(
        """
        WITH r AS (
          UPDATE shards s SET state = 'available', attempt_limit = s.attempt_limit + 1,
            lease_expires_at = NULL, retry_at = NULL
          FROM unnest($1::bigint[], $2::int[], $3::int[], $4::text[]) AS i(job_id, idx, attempt, owner)
          WHERE s.job_id = i.job_id AND s.idx = i.idx AND s.state = 'running'
            AND s.attempt = i.attempt AND s.lease_owner = i.owner
          RETURNING s.job_id, s.idx, s.attempt
        ),
        a AS (
          UPDATE shard_attempts a SET outcome = 'released', ended_at = now()
          FROM r WHERE a.job_id = r.job_id AND a.idx = r.idx AND a.attempt = r.attempt
        )
        SELECT job_id, idx FROM r
        """, Self.fenceParams(claims))
    }
    var released: [ShardKey] = []
    for row in 0..<rows.count {
      if let jobID = rows.int64(row, 0), let index = rows.int(row, 1) {
        released.append(ShardKey(jobID: jobID, index: index))
      }
    }
    // Other workers may be idle: tell them there is work again.
    if !released.isEmpty { try connection.notify(channel, payload: "released") }
    return released.sorted()
  }

  /// The completion. `done` is fenced; `history` marks every attempt of the batch (an upsert:
  /// its conflict check goes through the primary key whatever the statistics say); `jobs_updated`
  /// adds the batch to the counters once per job and finishes jobs with nothing left.
  static let completeSQL = """
    WITH input AS (
      SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[], $4::text[], $5::text[],
                           $6::bigint[], $7::int[])
        AS i(job_id, idx, attempt, owner, output_digest, output_size, questions)
    ),
    done AS (
      UPDATE shards s SET state = 'done', output_digest = i.output_digest,
        output_size = nullif(i.output_size, -1), lease_expires_at = NULL, retry_at = NULL,
        finished_at = now(), error = NULL
      FROM input i
      WHERE s.job_id = i.job_id AND s.idx = i.idx AND s.state = 'running'
        AND s.attempt = i.attempt AND s.lease_owner = i.owner
      RETURNING s.job_id, s.idx, s.attempt, i.questions
    ),
    history AS (
      INSERT INTO shard_attempts AS a (job_id, idx, attempt, owner, outcome, ended_at, error)
      SELECT i.job_id, i.idx, i.attempt, i.owner,
        CASE WHEN d.idx IS NOT NULL THEN 'completed' ELSE 'rejected' END, now(),
        CASE WHEN d.idx IS NULL THEN 'completion rejected: the lease was lost' END
      FROM input i LEFT JOIN done d
        ON d.job_id = i.job_id AND d.idx = i.idx AND d.attempt = i.attempt
      ON CONFLICT (job_id, idx, attempt) DO UPDATE
      SET outcome = EXCLUDED.outcome, ended_at = EXCLUDED.ended_at, error = EXCLUDED.error
      WHERE a.owner = EXCLUDED.owner AND a.outcome IN ('running', 'expired')
    ),
    totals AS (
      SELECT job_id, count(*)::int AS n, sum(questions)::bigint AS q FROM done GROUP BY job_id
    ),
    jobs_updated AS (
      UPDATE jobs j SET shards_done = j.shards_done + t.n, questions_done = j.questions_done + t.q,
        state = CASE WHEN j.state = 'running' AND j.shards_done + t.n + j.shards_dead >= j.total_shards
                     THEN CASE WHEN j.shards_dead > 0 THEN 'failed' ELSE 'succeeded' END
                     ELSE j.state END,
        finished_at = CASE WHEN j.state = 'running'
                            AND j.shards_done + t.n + j.shards_dead >= j.total_shards
                           THEN now() ELSE j.finished_at END,
        error = CASE WHEN j.state = 'running' AND j.shards_dead > 0
                      AND j.shards_done + t.n + j.shards_dead >= j.total_shards
                     THEN queue_job_error(j.id, j.shards_dead, j.total_shards)
                     ELSE j.error END
      FROM totals t
      WHERE j.id = t.job_id
    )
    SELECT job_id, idx FROM done
    """

  /// Adds `$2` dead shards to job `$1` and finishes it when nothing is left; runs after the
  /// shards were marked dead in the same transaction, so `queue_job_error` sees them.
  static let countDeadSQL = """
    UPDATE jobs j SET shards_dead = j.shards_dead + $2,
      state = CASE WHEN j.state = 'running' AND j.shards_done + j.shards_dead + $2 >= j.total_shards
                   THEN 'failed' ELSE j.state END,
      finished_at = CASE WHEN j.state = 'running'
                          AND j.shards_done + j.shards_dead + $2 >= j.total_shards
                         THEN now() ELSE j.finished_at END,
      error = CASE WHEN j.state = 'running' AND j.shards_done + j.shards_dead + $2 >= j.total_shards
                   THEN queue_job_error(j.id, j.shards_dead + $2, j.total_shards)
                   ELSE j.error END
    WHERE j.id = $1
    """
}
