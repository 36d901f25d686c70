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
    // The function extends each lease by its job's lease length (see 0005_worker_role.sql).
    let rows = try connection.query(
      "SELECT job_id, idx FROM queue_heartbeat($1, $2, $3, $4)", Self.fenceParams(claims),
      prepared: true)
    var held = Set<ShardKey>()
    for row in 0..<rows.count {
      if let jobID = rows.int64(row, 0), let index = rows.int(row, 1) {
        held.insert(ShardKey(jobID: jobID, index: index))
      }
    }
    return Set(claims.map(\.key)).subtracting(held)
  }

  /// `$1..$4`: job ids, indexes, attempts, owners of `claims`, for `unnest(...)`.
  static func fenceParams(_ claims: [ClaimedShard]) -> [PGValue] {
    [
      .array(claims.map(\.jobID)), .array(claims.map(\.index)), .array(claims.map(\.attempt)),
      .array(claims.map(\.owner)),
    ]
  }

  /// The claim, one statement (`queue_claim` in migrations/0005_worker_role.sql). Output rows:
  /// killed flag, job, index, attempt, input digest, input size, questions, kind, spec, lease
  /// seconds.
  static let claimSQL = "SELECT * FROM queue_claim($1, $2, $3)"
}
