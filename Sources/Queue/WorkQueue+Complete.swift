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
    return try connection.transaction { connection in
      let rows = try connection.query(
        Self.completeSQL,
        try Self.fenceParams(claims, "complete") + [
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
    let rows = try connection.query(
      "SELECT queue_fail($1, $2, $3, $4, $5, $6, $7, $8)",
      [
        .text(claim.token), .int(claim.jobID), .int(Int64(claim.index)), .int(Int64(claim.attempt)),
        .text(claim.owner), .bool(retryable), .double(delay), .text(Self.storable(error)),
      ])
    switch rows.string(0, 0) {
    case "failed"?:
      return .retrying(afterSeconds: delay)
    case "dead"?:
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

  /// Error text as the database keeps it: no NUL (text cannot hold one), at most 4,000 bytes.
  static func storable(_ error: String) -> String {
    var text = error.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    if text.utf8.count > 4000 {
      var cut = text.utf8.prefix(4000)
      while String(cut) == nil { cut = cut.dropLast() }
      text = String(cut)! + "..."
    }
    return text
  }

  /// Hands shards back (graceful shutdown): available again at once, the attempt recorded as
  /// `released`, and the attempt budget raised by one so that handing back costs nothing.
  /// Returns the keys released (those whose lease still held).
  @discardableResult
  public func release(_ claims: [ClaimedShard]) throws -> [ShardKey] {
    guard !claims.isEmpty else { return [] }
    let rows = try connection.query(
      "SELECT job_id, idx FROM queue_release($1, $2, $3, $4, $5)",
      try Self.fenceParams(claims, "release"))
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

  /// The completion (`queue_complete` in migrations/0009_owner_bound_leases.sql): fenced,
  /// records every attempt's outcome, updates the job counters once per job, finishes finished
  /// jobs.
  static let completeSQL =
    "SELECT job_id, idx FROM queue_complete($1, $2, $3, $4, $5, $6, $7, $8)"
}
