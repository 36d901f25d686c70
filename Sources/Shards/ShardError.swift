/// Errors with a stable code and the shard they concern.
public struct ShardError: Error, CustomStringConvertible, Sendable {
  public enum Code: String, Sendable {
    /// The blob ends before its header or payload does.
    case truncated
    /// The first 4 bytes are not a shard's magic.
    case badMagic
    /// A format version (or header flag) this reader does not know.
    case unsupportedVersion
    /// The shard (or a record type asked for) has another record kind than expected.
    case wrongKind
    /// The blob's SHA-256 differs from the expected digest (the message names both).
    case digestMismatch
    /// The header's own CRC-32 fails, or a header field is malformed.
    case corruptHeader
    /// The zstd payload fails its CRC-32, its frame checks, or its record framing.
    case corruptPayload
    /// The header's record count differs from the records the payload holds.
    case countMismatch
    /// Bytes follow the payload.
    case trailingData
    /// A record's bytes do not decode as its kind (bounds, varints, UTF-8, leftovers).
    case badRecord
    /// zstd failed to compress (or a writer limit was exceeded).
    case compression
  }
  public var code: Code
  /// Which shard (a name given by the caller, e.g. "job 3 shard 17 (input)").
  public var shard: String
  public var detail: String
  public init(_ code: Code, shard: String, _ detail: String) {
    self.code = code
    self.shard = shard
    self.detail = detail
  }
  public var description: String { "shard \(shard): \(code.rawValue): \(detail)" }
}
