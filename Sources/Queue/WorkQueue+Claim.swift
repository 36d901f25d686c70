extension WorkQueue {
  /// Claims up to `limit` shards of running jobs (of `kinds`, when given) in ONE statement:
  /// available shards in order, failed shards whose retry time has come, and running shards whose
  /// lease expired (that attempt is recorded as `expired`; a shard whose expired attempt was its
  /// last becomes `dead` instead, "lease expired N times"). Each claim increments the attempt,
  /// sets owner and lease, and adds an attempt history row. The lease is bound to this
  /// connection's login and to `token` (see `LeaseToken`).
  public func claim(
    owner: String, token: String = LeaseToken.process, kinds: [String]? = nil, limit: Int
  ) throws -> [ClaimedShard] {
    guard limit >= 1 else { return [] }
    guard !owner.isEmpty else {
      throw QueueError(.invalidArgument, "claim", "the owner must not be empty")
    }
    let kindsParam: PGValue = kinds.map { PGValue.array($0) } ?? .null
    // A round that only buried expired shards claimed nothing, though more may be claimable.
    for _ in 0..<8 {
      let rows = try connection.query(
        Self.claimSQL, [.text(owner), .text(token), .int(Int64(limit)), kindsParam],
        prepared: true)
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
          Self.claimedShard(rows, row, from: 1, jobID: jobID, index: index, owner: owner, token: token))
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
      "SELECT job_id, idx FROM queue_heartbeat($1, $2, $3, $4, $5)",
      try Self.fenceParams(claims, "heartbeat"), prepared: true)
    var held = Set<ShardKey>()
    for row in 0..<rows.count {
      if let jobID = rows.int64(row, 0), let index = rows.int(row, 1) {
        held.insert(ShardKey(jobID: jobID, index: index))
      }
    }
    return Set(claims.map(\.key)).subtracting(held)
  }

  /// `$1..$5`: the token, then job ids, indexes, attempts, owners of `claims` for `unnest(...)`.
  /// One call speaks for one process: every claim must carry the same token.
  static func fenceParams(_ claims: [ClaimedShard], _ operation: String) throws -> [PGValue] {
    let token = claims.first?.token ?? ""
    guard claims.allSatisfy({ $0.token == token }) else {
      throw QueueError(.invalidArgument, operation, "the claims carry different tokens")
    }
    return [
      .text(token), .array(claims.map(\.jobID)), .array(claims.map(\.index)),
      .array(claims.map(\.attempt)), .array(claims.map(\.owner)),
    ]
  }

  /// The shards leased to `owner` with `token` under this connection's login that are still
  /// running, their leases renewed: after a lost connection, what this worker holds without
  /// knowing it (a claim that committed while its reply was lost, a release that never arrived).
  public func owned(owner: String, token: String = LeaseToken.process) throws -> [ClaimedShard] {
    let rows = try connection.query(
      "SELECT * FROM queue_owned($1, $2)", [.text(owner), .text(token)])
    var shards: [ClaimedShard] = []
    for row in 0..<rows.count {
      guard let jobID = rows.int64(row, 0), let index = rows.int(row, 1) else {
        throw QueueError(.unexpectedResult, "owned", "a row without job or index")
      }
      shards.append(
        Self.claimedShard(rows, row, from: 0, jobID: jobID, index: index, owner: owner, token: token))
    }
    return shards
  }

  /// A claim from a row of `queue_claim` or `queue_owned`, whose columns from `first` on are:
  /// job, index, attempt, input digest, input size, questions, kind, spec, lease seconds.
  static func claimedShard(
    _ rows: PGRows, _ row: Int, from first: Int, jobID: Int64, index: Int, owner: String,
    token: String
  ) -> ClaimedShard {
    ClaimedShard(
      jobID: jobID, index: index, attempt: rows.int(row, first + 2) ?? 0, owner: owner,
      kind: rows.string(row, first + 6) ?? "", spec: rows.string(row, first + 7) ?? "{}",
      inputDigest: rows.string(row, first + 3) ?? "", inputSize: rows.int(row, first + 4) ?? 0,
      questions: rows.int(row, first + 5) ?? 0, leaseSeconds: rows.int(row, first + 8) ?? 60,
      token: token)
  }

  /// What is left of running jobs of `kinds` (nil: every kind), in one statement
  /// (`queue_outlook`, migrations/0009_owner_bound_leases.sql).
  public func outlook(kinds: [String]? = nil) throws -> QueueOutlook {
    let rows = try connection.query(
      "SELECT * FROM queue_outlook($1)", [kinds.map { PGValue.array($0) } ?? .null],
      prepared: true)
    guard rows.count == 1 else {
      throw QueueError(.unexpectedResult, "outlook", "expected one row, got \(rows.count)")
    }
    return QueueOutlook(
      claimable: rows.bool(0, 0) ?? false, retrying: rows.int(0, 1) ?? 0,
      nextRetrySeconds: rows.double(0, 2), leased: rows.int(0, 3) ?? 0,
      nextExpirySeconds: rows.double(0, 4))
  }

  /// The claim, one statement (`queue_claim` in migrations/0009_owner_bound_leases.sql). Output
  /// rows: killed flag, job, index, attempt, input digest, input size, questions, kind, spec,
  /// lease seconds.
  static let claimSQL = "SELECT * FROM queue_claim($1, $2, $3, $4)"
}
