/// A blob that cannot be stored or read: a stable `code`, the digest (and where), and why.
public struct BlobStoreError: Error, CustomStringConvertible, Sendable {
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }

    public static let notFound = Code("not-found")
    public static let io = Code("io")
    public static let badDigest = Code("bad-digest")
    public static let badURI = Code("bad-uri")
    /// A shard's input was asked for by a worker that no longer holds the shard.
    public static let leaseLost = Code("lease-lost")
  }

  public var code: Code
  /// The blob's digest, or the store URI for `badURI`.
  public var subject: String
  public var message: String

  public init(_ code: Code, _ subject: String, _ message: String) {
    self.code = code
    self.subject = subject
    self.message = message
  }

  public var description: String { "blob store \(code): \(subject): \(message)" }
}
