/// A finished, compressed shard: the bytes that go to the blob store, and their digest.
public struct ShardBlob: Sendable {
  public var bytes: [UInt8]
  /// "sha256:<64 lowercase hex>" of `bytes`.
  public var digest: String
  public var size: Int { bytes.count }

  /// A blob whose digest is already known (e.g. read back from the store next to its digest).
  public init(bytes: [UInt8], digest: String) {
    self.bytes = bytes
    self.digest = digest
  }

  /// A blob whose digest is computed here.
  public init(bytes: [UInt8]) {
    self.init(bytes: bytes, digest: Self.digest(of: bytes))
  }

  /// The digest string of some bytes: "sha256:" and the lowercase hex SHA-256.
  public static func digest(of bytes: [UInt8]) -> String {
    "sha256:" + SHA256.hexString(SHA256.hash(bytes))
  }
}
