public import Logging

/// The queue protocol over one connection: enqueue jobs, claim / heartbeat / complete / fail /
/// release shards, and job control. Every operation is one statement or one transaction; every
/// change to a claimed shard is fenced on (state = running, attempt, owner), so a worker that lost
/// its lease changes nothing. Like its connection, a queue is used from one thread at a time.
public struct WorkQueue {
  /// The channel that enqueue, release and retry notify: a wake-up hint for idle workers, which
  /// poll anyway.
  public static let defaultChannel = "pixelprobe_queue"

  public let connection: PGConnection
  public var channel: String
  /// Delay before a shard that failed (retryably) may be claimed again.
  public var shardRetry: RetryPolicy
  /// Shard rows per COPY while enqueueing.
  public var copyChunk: Int
  public var logger: Logger?

  public init(
    connection: PGConnection, channel: String = WorkQueue.defaultChannel,
    shardRetry: RetryPolicy = .shardRetry, copyChunk: Int = 1000, logger: Logger? = nil
  ) {
    self.connection = connection
    self.channel = channel
    self.shardRetry = shardRetry
    self.copyChunk = copyChunk
    self.logger = logger
  }

  /// Enqueues a job in ONE transaction: the job row, then `build` adds its shards (blobs stored,
  /// rows copied in chunks), then a notification. If a job with the same idempotency key exists,
  /// returns it with `created == false` without calling `build`. The database keeps the key's
  /// SHA-256 (`job_key_digest`), so a key of any length works. Any error leaves nothing behind
  /// (blobs in a file store excepted: unreferenced, content-addressed, harmless).
  @discardableResult
  public func enqueue(
    _ job: NewJob, store: any BlobStore, build: (inout ShardSink) throws -> Void
  ) throws -> EnqueueResult {
    guard !job.kind.isEmpty else {
      throw QueueError(.invalidArgument, "new job", "the kind must not be empty")
    }
    guard job.maxAttempts >= 1, job.leaseSeconds >= 1 else {
      throw QueueError(
        .invalidArgument, "new \(job.kind) job", "maxAttempts and leaseSeconds must be at least 1")
    }
    return try connection.transaction { connection in
      let inserted = try connection.query(
        """
        INSERT INTO jobs (kind, spec, idempotency_key, max_attempts, lease_seconds)
        VALUES ($1, $2::jsonb, job_key_digest($3), $4, $5)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id
        """,
        [
          .text(job.kind), .text(job.spec), .optional(job.idempotencyKey),
          .int(Int64(job.maxAttempts)), .int(Int64(job.leaseSeconds)),
        ])
      guard let jobID = inserted.int64(0, 0) else {
        let existing = try connection.query(
          "SELECT id, total_shards, total_questions FROM jobs WHERE idempotency_key = job_key_digest($1)",
          [.optional(job.idempotencyKey)])
        guard let id = existing.int64(0, 0) else {
          throw QueueError(
            .unexpectedResult, "new \(job.kind) job", "the insert returned no id and no job has its key")
        }
        return EnqueueResult(
          jobID: id, created: false, shards: existing.int(0, 1) ?? 0,
          questions: existing.int64(0, 2) ?? 0)
      }
      var sink = ShardSink(
        connection: connection, store: store, jobID: jobID, attemptLimit: job.maxAttempts,
        chunkSize: copyChunk)
      try build(&sink)
      try sink.flush()
      if let expected = job.totalQuestions, expected != sink.questions {
        throw QueueError(
          .invalidArgument, "job \(jobID)",
          "the shards hold \(sink.questions) questions, the job says \(expected)")
      }
      try connection.execute(
        """
        UPDATE jobs SET total_shards = $2, total_questions = $3,
          state = CASE WHEN $2 = 0 THEN 'succeeded' ELSE 'running' END,
          finished_at = CASE WHEN $2 = 0 THEN now() END
        WHERE id = $1
        """, [.int(jobID), .int(Int64(sink.count)), .int(sink.questions)])
      try connection.notify(channel, payload: String(jobID))
      logger?.info(
        "enqueued job",
        metadata: [
          "job.id": "\(jobID)", "job.kind": "\(job.kind)", "job.shards": "\(sink.count)",
          "job.questions": "\(sink.questions)",
        ])
      return EnqueueResult(
        jobID: jobID, created: true, shards: sink.count, questions: sink.questions)
    }
  }
}
