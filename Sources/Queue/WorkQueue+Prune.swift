extension WorkQueue {
  /// What `prune` removed (or, in a dry run, would remove).
  public struct PruneReport: Sendable, Hashable {
    public var dryRun: Bool
    /// Finished jobs (succeeded, failed, cancelled) that ended before the cutoff.
    public var jobs: Int
    /// Their shards; their result rows go with them (foreign keys ON DELETE CASCADE).
    public var shards: Int
    /// Their attempt history rows.
    public var attempts: Int
    /// Blobs in the `blobs` table that no shard references any more, stored before the cutoff.
    public var blobs: Int
    public var blobBytes: Int64

    public init(dryRun: Bool, jobs: Int, shards: Int, attempts: Int, blobs: Int, blobBytes: Int64) {
      self.dryRun = dryRun
      self.jobs = jobs
      self.shards = shards
      self.attempts = attempts
      self.blobs = blobs
      self.blobBytes = blobBytes
    }
  }

  /// Removes finished jobs that ended more than `olderThan` seconds ago, with their shards, result
  /// rows and attempt history, then the blobs no shard references that were stored before the
  /// same cutoff (younger ones may belong to an enqueue or a completion in progress). One
  /// transaction; a dry run counts and rolls back. Running jobs are never touched. Blobs of a
  /// `file://` store are not pruned here.
  public func prune(olderThan seconds: Double, dryRun: Bool) throws -> PruneReport {
    guard seconds >= 0, seconds.isFinite else {
      throw QueueError(.invalidArgument, "prune", "the age must be a finite number of seconds >= 0")
    }
    try connection.execute("BEGIN")
    do {
      let cutoff = try connection.query(
        "SELECT now() - make_interval(secs => $1)", [.double(seconds)]
      ).string(0, 0)
      let jobs = try connection.query(
        """
        SELECT coalesce(array_agg(id ORDER BY id), '{}')::text, count(*) FROM jobs
        WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < $1::timestamptz
        """, [.optional(cutoff)])
      let ids = PGValue.text(jobs.string(0, 0) ?? "{}")
      let counts = try connection.query(
        """
        SELECT (SELECT count(*) FROM shards WHERE job_id = ANY ($1::bigint[])),
          (SELECT count(*) FROM shard_attempts WHERE job_id = ANY ($1::bigint[]))
        """, [ids])
      try connection.execute("DELETE FROM shard_attempts WHERE job_id = ANY ($1::bigint[])", [ids])
      try connection.execute("DELETE FROM jobs WHERE id = ANY ($1::bigint[])", [ids])
      // An anti-join: no index on the digests of shards is needed (nor kept up on the hot path).
      let blobs = try connection.query(
        """
        WITH gone AS (
          DELETE FROM blobs b
          WHERE b.created_at < $1::timestamptz
            AND NOT EXISTS (SELECT 1 FROM shards s WHERE s.input_digest = b.digest)
            AND NOT EXISTS (SELECT 1 FROM shards s WHERE s.output_digest = b.digest)
          RETURNING length(b.data)::bigint AS size
        )
        SELECT count(*), coalesce(sum(size), 0)::bigint FROM gone
        """, [.optional(cutoff)])
      let report = PruneReport(
        dryRun: dryRun, jobs: jobs.int(0, 1) ?? 0, shards: counts.int(0, 0) ?? 0,
        attempts: counts.int(0, 1) ?? 0, blobs: blobs.int(0, 0) ?? 0,
        blobBytes: blobs.int64(0, 1) ?? 0)
      try connection.execute(dryRun ? "ROLLBACK" : "COMMIT")
      logger?.info(
        dryRun ? "prune (dry run)" : "pruned",
        metadata: [
          "prune.jobs": "\(report.jobs)", "prune.shards": "\(report.shards)",
          "prune.attempts": "\(report.attempts)", "prune.blobs": "\(report.blobs)",
        ])
      return report
    } catch {
      if !connection.isBroken { _ = try? connection.execute("ROLLBACK") }
      throw error
    }
  }

  /// `VACUUM (ANALYZE)` of the queue's tables and every table holding results (after a prune:
  /// the space becomes reusable; the files only shrink with VACUUM FULL).
  public func vacuum() throws {
    let tables = try connection.query(
      """
      SELECT DISTINCT c.conrelid::regclass::text FROM pg_constraint c
      WHERE c.contype = 'f' AND c.confrelid = 'shards'::regclass
      """)
    let names =
      ["jobs", "shards", "shard_attempts", "blobs"] + (0..<tables.count).compactMap { tables.string($0, 0) }
    for name in names {
      // Names from the catalog, quoted by the server's own regclass output.
      try connection.execute("VACUUM (ANALYZE) " + name)
    }
  }
}
