extension WorkQueue {
  /// Claims up to `limit` shards of running jobs (of `kinds`, when given) in ONE statement:
  /// available shards in order, failed shards whose retry time has come, and running shards whose
  /// lease expired (that attempt is recorded as `expired`; a shard whose expired attempt was its
  /// last becomes `dead` instead, "lease expired N times"). Each claim increments the attempt,
  /// sets owner and lease, and adds an attempt history row.
  public func claim(owner: String, kinds: [String]? = nil, limit: Int) throws -> [ClaimedShard] {
    guard limit >= 1 else { return [] }
    guard !owner.isEmpty else {
      throw QueueError(.invalidArgument, "claim", "the owner must not be empty")
    }
    let kindsParam: PGValue = kinds.map { PGValue.array($0) } ?? .null
    // A round that only buried expired shards claimed nothing, though more may be claimable.
    for _ in 0..<8 {
      let rows = try connection.query(
        Self.claimSQL, [.text(owner), .int(Int64(limit)), kindsParam], prepared: true)
      var claimed: [ClaimedShard] = []
      var killed: [ShardKey] = []
      for row in 0..<rows.count {
        guard let jobID = rows.int64(row, 1), let index = rows.int(row, 2) else {
          throw QueueError(.unexpectedResult, "claim", "a claimed row without job or index")
        }
        if rows.bool(row, 0) == true {
          killed.append(ShardKey(jobID: jobID, index: index))
          continue
        }
        claimed.append(
          ClaimedShard(
            jobID: jobID, index: index, attempt: rows.int(row, 3) ?? 0, owner: owner,
            kind: rows.string(row, 7) ?? "", spec: rows.string(row, 8) ?? "{}",
            inputDigest: rows.string(row, 4) ?? "", inputSize: rows.int(row, 5) ?? 0,
            questions: rows.int(row, 6) ?? 0, leaseSeconds: rows.int(row, 9) ?? 60))
      }
      for key in killed {
        logger?.info(
          "shard dead: its lease expired on the last attempt",
          metadata: ["job.id": "\(key.jobID)", "shard.index": "\(key.index)"])
      }
      if !claimed.isEmpty || killed.isEmpty { return claimed.sorted { $0.key < $1.key } }
    }
    return []
  }

  /// Extends the leases still held (same owner and attempt, still running); returns the keys of
  /// the claims whose lease is LOST (expired and taken over, cancelled, or finished elsewhere).
  public func heartbeat(_ claims: [ClaimedShard]) throws -> Set<ShardKey> {
    guard !claims.isEmpty else { return [] }
    let rows = try keyedTransaction { connection in
      try connection.query(
        """
        UPDATE shards s SET lease_expires_at = now() + make_interval(secs => i.lease)
        FROM unnest($1::bigint[], $2::int[], $3::int[], $4::text[], $5::int[])
          AS i(job_id, idx, attempt, owner, lease)
        WHERE s.job_id = i.job_id AND s.idx = i.idx AND s.state = 'running'
          AND s.attempt = i.attempt AND s.lease_owner = i.owner
        RETURNING s.job_id, s.idx
        """, Self.fenceParams(claims) + [.array(claims.map(\.leaseSeconds))])
    }
    var held = Set<ShardKey>()
    for row in 0..<rows.count {
      if let jobID = rows.int64(row, 0), let index = rows.int(row, 1) {
        held.insert(ShardKey(jobID: jobID, index: index))
      }
    }
    return Set(claims.map(\.key)).subtracting(held)
  }

  /// A transaction for statements that reach a batch of shards by primary key. The planner, misled
  /// by the statistics of a table whose states change by the thousand per second, would
  /// otherwise hash-join the batch against a full scan of `shards`; with sequential scans
  /// priced out it goes through the key, whatever the table's size.
  func keyedTransaction<T>(_ body: (PGConnection) throws -> T) throws -> T {
    try connection.transaction(begin: "BEGIN; SET LOCAL enable_seqscan = off", body)
  }

  /// `$1..$4`: job ids, indexes, attempts, owners of `claims`, for `unnest(...)`.
  static func fenceParams(_ claims: [ClaimedShard]) -> [PGValue] {
    [
      .array(claims.map(\.jobID)), .array(claims.map(\.index)), .array(claims.map(\.attempt)),
      .array(claims.map(\.owner)),
    ]
  }

  /// The claim. `lapsed`, `retryable` and `fresh` lock candidates of the three kinds, job by job
  /// (oldest first) through a partial index made for each, together at most `$2`: the scans are
  /// pulled lazily, so only the rows used are locked. Locked rows are current, so the values read
  /// with them decide. Every later step reaches rows by primary key (never by a join whose cost
  /// depends on statistics that lag behind a fast-moving queue). Output rows: killed flag, job,
  /// index, attempt, input digest, input size, questions, kind, spec, lease seconds.
  static let claimSQL = """
    WITH eligible AS MATERIALIZED (
      SELECT id, lease_seconds FROM jobs
      WHERE state = 'running' AND ($3::text[] IS NULL OR kind = ANY ($3::text[]))
      ORDER BY id
    ),
    lapsed AS MATERIALIZED (
      SELECT s.* FROM eligible e CROSS JOIN LATERAL (
        SELECT job_id, idx, attempt, attempt_limit, lease_owner FROM shards
        WHERE job_id = e.id AND lease_expires_at < now() AND state = 'running'
        ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
      ) AS s
      LIMIT $2
    ),
    retryable AS MATERIALIZED (
      SELECT s.* FROM eligible e CROSS JOIN LATERAL (
        SELECT job_id, idx FROM shards
        WHERE job_id = e.id AND state = 'failed' AND retry_at <= now()
        ORDER BY retry_at LIMIT $2 FOR UPDATE SKIP LOCKED
      ) AS s
      LIMIT greatest(0, $2 - (SELECT count(*) FROM lapsed))
    ),
    fresh AS MATERIALIZED (
      SELECT s.* FROM eligible e CROSS JOIN LATERAL (
        SELECT job_id, idx FROM shards
        WHERE job_id = e.id AND state = 'available'
        ORDER BY idx LIMIT $2 FOR UPDATE SKIP LOCKED
      ) AS s
      LIMIT greatest(0, $2 - (SELECT count(*) FROM lapsed) - (SELECT count(*) FROM retryable))
    ),
    picked AS MATERIALIZED (
      SELECT c.job_id, c.idx, c.doomed, e.lease_seconds FROM (
        SELECT job_id, idx, attempt >= attempt_limit AS doomed FROM lapsed
        UNION ALL SELECT job_id, idx, false FROM retryable
        UNION ALL SELECT job_id, idx, false FROM fresh
      ) AS c JOIN eligible e ON e.id = c.job_id
    ),
    expired AS (
      INSERT INTO shard_attempts AS a (job_id, idx, attempt, owner, outcome, ended_at, error)
      SELECT job_id, idx, attempt, lease_owner, 'expired', now(), 'lease expired' FROM lapsed
      ON CONFLICT (job_id, idx, attempt) DO UPDATE
      SET outcome = 'expired', ended_at = now(), error = 'lease expired'
    ),
    killed AS (
      UPDATE shards s SET state = 'dead', lease_expires_at = NULL, finished_at = now(),
        error = format('lease expired %s times',
          (SELECT count(*) + 1 FROM shard_attempts a
           WHERE a.job_id = s.job_id AND a.idx = s.idx AND a.outcome = 'expired'))
      FROM picked p
      WHERE s.job_id = p.job_id AND s.idx = p.idx AND p.doomed
      RETURNING s.job_id, s.idx, s.error
    ),
    claimed AS (
      UPDATE shards s SET state = 'running', attempt = s.attempt + 1, lease_owner = $1,
        lease_expires_at = now() + make_interval(secs => p.lease_seconds), retry_at = NULL,
        claimed_at = now(), finished_at = NULL
      FROM picked p
      WHERE s.job_id = p.job_id AND s.idx = p.idx AND NOT p.doomed
      RETURNING s.job_id, s.idx, s.attempt, s.input_digest, s.input_size, s.questions,
        p.lease_seconds
    ),
    history AS (
      INSERT INTO shard_attempts (job_id, idx, attempt, owner)
      SELECT job_id, idx, attempt, $1 FROM claimed
    ),
    touched AS (
      SELECT t.job_id, count(k.idx)::int AS dead,
        array_remove(array_agg(format('shard %s: %s', k.idx, k.error) ORDER BY k.idx), NULL)
          AS errors
      FROM (SELECT job_id FROM claimed UNION SELECT job_id FROM killed) AS t
      LEFT JOIN killed k ON k.job_id = t.job_id
      GROUP BY t.job_id
    ),
    job_updates AS (
      UPDATE jobs j SET started_at = coalesce(j.started_at, now()),
        shards_dead = j.shards_dead + t.dead,
        state = CASE WHEN j.state = 'running' AND t.dead > 0
                      AND j.shards_done + j.shards_dead + t.dead >= j.total_shards
                     THEN 'failed' ELSE j.state END,
        finished_at = CASE WHEN j.state = 'running' AND t.dead > 0
                            AND j.shards_done + j.shards_dead + t.dead >= j.total_shards
                           THEN now() ELSE j.finished_at END,
        error = CASE WHEN j.state = 'running' AND t.dead > 0
                      AND j.shards_done + j.shards_dead + t.dead >= j.total_shards
                     THEN queue_job_error(j.id, j.shards_dead + t.dead, j.total_shards,
                                          t.errors[1:3])
                     ELSE j.error END
      FROM touched t
      WHERE j.id = t.job_id AND (j.started_at IS NULL OR t.dead > 0)
    )
    SELECT false, c.job_id, c.idx, c.attempt, c.input_digest, c.input_size, c.questions, j.kind,
      j.spec::text, c.lease_seconds
    FROM claimed c JOIN jobs j ON j.id = c.job_id
    UNION ALL
    SELECT true, job_id, idx, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM killed
    """
}
