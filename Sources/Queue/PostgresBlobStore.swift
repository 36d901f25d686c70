/// Blobs in the `blobs` table (the default: the database is the only dependency). `put` runs on the
/// caller's connection, so inside `enqueue` it is part of the job's transaction.
public struct PostgresBlobStore: BlobStore {
  public init() {}

  public func put(digest: String, bytes: [UInt8], on connection: PGConnection) throws {
    try connection.execute(
      "INSERT INTO blobs (digest, data) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING",
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
}
