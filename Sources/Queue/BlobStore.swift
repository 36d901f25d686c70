/// Where shard input and output bytes live, keyed by the digest that the caller computed (and
/// verifies after reading). Storing the same digest twice is harmless.
public protocol BlobStore: Sendable {
  /// Stores `bytes` under `digest`. A store in PostgreSQL joins `connection`'s transaction.
  func put(digest: String, bytes: [UInt8], on connection: PGConnection) throws
  /// The bytes stored under `digest`; a missing blob is a `BlobStoreError` naming the digest.
  func get(digest: String, on connection: PGConnection) throws -> [UInt8]
  /// The input blob of a shard the caller holds. Stores that can check the lease do (a worker's
  /// database role may read nothing else); the default reads `shard.inputDigest`.
  func input(of shard: ClaimedShard, on connection: PGConnection) throws -> [UInt8]
}

extension BlobStore {
  public func input(of shard: ClaimedShard, on connection: PGConnection) throws -> [UInt8] {
    try get(digest: shard.inputDigest, on: connection)
  }
}

/// Blob stores by URI, as job specs name them.
public enum BlobStores {
  /// `postgres` (or empty: the default) → `PostgresBlobStore`; `file:///path` → `FileBlobStore`.
  public static func parse(_ uri: String) throws -> any BlobStore {
    if uri.isEmpty || uri == "postgres" || uri == "postgres:" { return PostgresBlobStore() }
    if uri.hasPrefix("file://") {
      let path = String(uri.dropFirst("file://".count))
      guard path.hasPrefix("/") else {
        throw BlobStoreError(.badURI, uri, "give an absolute path: file:///path/to/blobs")
      }
      let root = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
      return FileBlobStore(root: root)
    }
    throw BlobStoreError(.badURI, uri, "expected postgres or file:///path")
  }
}
