import Foundation

extension WorkQueue {
  /// Progress of one job, or of every job (by id) when `jobID` is nil.
  public func status(jobID: Int64? = nil) throws -> [JobProgress] {
    let rows = try connection.query(
      """
      SELECT j.id, j.kind, j.state, j.total_shards, j.total_questions, j.questions_done, j.error,
        extract(epoch FROM j.created_at)::float8, extract(epoch FROM j.started_at)::float8,
        extract(epoch FROM j.finished_at)::float8, extract(epoch FROM now())::float8,
        c.available, c.running, c.done, c.failed, c.dead, c.cancelled, c.expired, c.recent
      FROM jobs j
      CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE state = 'available')::int AS available,
          count(*) FILTER (WHERE state = 'running')::int AS running,
          count(*) FILTER (WHERE state = 'done')::int AS done,
          count(*) FILTER (WHERE state = 'failed')::int AS failed,
          count(*) FILTER (WHERE state = 'dead')::int AS dead,
          count(*) FILTER (WHERE state = 'cancelled')::int AS cancelled,
          count(*) FILTER (WHERE state = 'running' AND lease_expires_at < now())::int AS expired,
          coalesce(sum(questions) FILTER (
            WHERE state = 'done' AND finished_at > now() - make_interval(secs => $2)), 0)::bigint
            AS recent
        FROM shards s WHERE s.job_id = j.id
      ) AS c
      WHERE $1::bigint IS NULL OR j.id = $1::bigint
      ORDER BY j.id
      """, [.optional(jobID), .double(JobProgress.liveWindow)])
    let errors = try deadShardErrors(jobID: jobID)
    var jobs: [JobProgress] = []
    for row in 0..<rows.count {
      guard let id = rows.int64(row, 0) else { continue }
      let created = rows.double(row, 7) ?? 0
      let started = rows.double(row, 8)
      let finished = rows.double(row, 9)
      let now = rows.double(row, 10) ?? created
      let state = rows.string(row, 2) ?? "?"
      let total = rows.int64(row, 4) ?? 0
      let done = rows.int64(row, 5) ?? 0
      let elapsed = started.map { max(0, (finished ?? now) - $0) }
      let rate = elapsed.flatMap { $0 > 0 ? Double(done) / $0 : nil }
      let running = rows.int(row, 12) ?? 0
      let expired = rows.int(row, 17) ?? 0
      let eta = JobProgress.eta(
        state: state, remaining: total - done, recentQuestions: rows.int64(row, 18) ?? 0,
        elapsed: elapsed,
        liveShards: running - expired + (rows.int(row, 11) ?? 0) + (rows.int(row, 14) ?? 0))
      jobs.append(
        JobProgress(
          jobID: id, kind: rows.string(row, 1) ?? "?", state: state,
          totalShards: rows.int(row, 3) ?? 0, shardsAvailable: rows.int(row, 11) ?? 0,
          shardsRunning: running, leasesExpired: expired, shardsDone: rows.int(row, 13) ?? 0,
          shardsFailed: rows.int(row, 14) ?? 0, shardsDead: rows.int(row, 15) ?? 0,
          shardsCancelled: rows.int(row, 16) ?? 0, totalQuestions: total, questionsDone: done,
          createdAt: Date(timeIntervalSince1970: created),
          startedAt: started.map { Date(timeIntervalSince1970: $0) },
          finishedAt: finished.map { Date(timeIntervalSince1970: $0) }, elapsedSeconds: elapsed,
          questionsPerSecond: rate, etaSeconds: eta, errors: errors[id] ?? [],
          error: rows.string(row, 6)))
    }
    return jobs
  }

  /// One job's progress; a `QueueError` (`jobNotFound`) when there is no such job.
  public func job(_ id: Int64) throws -> JobProgress {
    guard let progress = try status(jobID: id).first else {
      throw QueueError(.jobNotFound, "job \(id)", "no such job")
    }
    return progress
  }

  /// Cancels a running job: its unfinished shards become `cancelled` (workers holding them see
  /// their lease lost at the next heartbeat, and their completions are rejected); finished shards
  /// and their results stay. Returns false when the job had already ended (nothing to do).
  @discardableResult
  public func cancel(jobID: Int64) throws -> Bool {
    try connection.transaction { connection in
      let updated = try connection.execute(
        "UPDATE jobs SET state = 'cancelled', finished_at = now() WHERE id = $1 AND state = 'running'",
        [.int(jobID)])
      guard updated == 1 else {
        _ = try job(jobID)  // throws when there is no such job
        return false
      }
      try connection.execute(
        """
        UPDATE shard_attempts a SET outcome = 'cancelled', ended_at = now(), error = 'job cancelled'
        FROM shards s
        WHERE s.job_id = $1 AND s.state = 'running' AND a.job_id = s.job_id AND a.idx = s.idx
          AND a.attempt = s.attempt AND a.outcome = 'running'
        """, [.int(jobID)])
      try connection.execute(
        """
        UPDATE shards SET state = 'cancelled', lease_expires_at = NULL, retry_at = NULL
        WHERE job_id = $1 AND state IN ('available', 'failed', 'running')
        """, [.int(jobID)])
      logger?.info("cancelled job", metadata: ["job.id": "\(jobID)"])
      return true
    }
  }

  /// Puts a job's dead, failed and cancelled shards back to `available` with a fresh attempt
  /// budget (the job's max attempts, counted from now), and the job back to running. Returns how
  /// many shards were put back (0: nothing to retry, the job is left as it is).
  @discardableResult
  public func retry(jobID: Int64) throws -> Int {
    try connection.transaction { connection in
      let locked = try connection.query(
        "SELECT state FROM jobs WHERE id = $1 FOR UPDATE", [.int(jobID)])
      guard locked.count == 1 else {
        throw QueueError(.jobNotFound, "job \(jobID)", "no such job")
      }
      let count = try connection.execute(
        """
        UPDATE shards s SET state = 'available', attempt_limit = s.attempt + j.max_attempts,
          lease_expires_at = NULL, retry_at = NULL, finished_at = NULL, error = NULL
        FROM jobs j
        WHERE j.id = s.job_id AND s.job_id = $1 AND s.state IN ('dead', 'failed', 'cancelled')
        """, [.int(jobID)])
      guard count > 0 else { return 0 }
      try connection.execute(
        """
        UPDATE jobs SET state = 'running', finished_at = NULL, error = NULL,
          shards_dead = (SELECT count(*) FROM shards WHERE job_id = $1 AND state = 'dead')
        WHERE id = $1
        """, [.int(jobID)])
      try connection.notify(channel, payload: String(jobID))
      logger?.info("retrying job", metadata: ["job.id": "\(jobID)", "job.shards": "\(count)"])
      return count
    }
  }

  /// The first few dead shards' errors of each job.
  func deadShardErrors(jobID: Int64?) throws -> [Int64: [String]] {
    let rows = try connection.query(
      """
      SELECT job_id, idx, error FROM (
        SELECT job_id, idx, error, row_number() OVER (PARTITION BY job_id ORDER BY idx) AS n
        FROM shards WHERE state = 'dead' AND ($1::bigint IS NULL OR job_id = $1::bigint)
      ) AS d
      WHERE n <= 5 ORDER BY job_id, idx
      """, [.optional(jobID)])
    var errors: [Int64: [String]] = [:]
    for row in 0..<rows.count {
      guard let id = rows.int64(row, 0), let index = rows.int(row, 1) else { continue }
      errors[id, default: []].append("shard \(index): \(rows.string(row, 2) ?? "no error recorded")")
    }
    return errors
  }
}
