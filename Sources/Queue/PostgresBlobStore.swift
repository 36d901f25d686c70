/// Blobs in the `blobs` table (the default: the database is the only dependency). `put` runs on the
/// caller's connection, so inside `enqueue` it is part of the job's transaction.
public struct PostgresBlobStore: BlobStore {
  public init() {}

  public func put(digest: String, bytes: [UInt8], on connection: PGConnection) throws {
    // No conflict target: the digest is the only key, and a target would need SELECT on it,
    // which workers do not have.
    try connection.execute(
      "INSERT INTO blobs (digest, data) VALUES ($1, $2) ON CONFLICT DO NOTHING",
      [.text(digest), .bytes(bytes)])
  }

  public func get(digest: String, on connection: PGConnection) throws -> [UInt8] {
    // Binary result format: the bytes arrive as they are, not as hex text twice their size.
    let rows = try connection.query(
      "SELECT data FROM blobs WHERE digest = $1", [.text(digest)], binaryResult: true)
    guard rows.count == 1, let bytes = rows.bytes(0, 0) else {
      throw BlobStoreError(.notFound, digest, "no such blob in table blobs")
    }
    return bytes
  }

  /// Through `queue_shard_input`, fenced on the claim like completion: what a worker's role may
  /// read (see migrations/0009_owner_bound_leases.sql).
  public func input(of shard: ClaimedShard, on connection: PGConnection) throws -> [UInt8] {
    let rows = try connection.query(
      "SELECT data FROM queue_shard_input($1, $2, $3, $4, $5)",
      [
        .text(shard.token), .int(shard.jobID), .int(Int64(shard.index)), .int(Int64(shard.attempt)),
        .text(shard.owner),
      ], binaryResult: true, prepared: true)
    guard rows.count == 1 else {
      throw BlobStoreError(
        .leaseLost, shard.inputDigest, "\(shard) is no longer held by \(shard.owner)")
    }
    guard let bytes = rows.bytes(0, 0) else {
      throw BlobStoreError(.notFound, shard.inputDigest, "no such blob in table blobs")
    }
    return bytes
  }
}
