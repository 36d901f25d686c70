// The interface other modules rely on. The implementation may grow, but keep these names and
// shapes (or change their users in the same commit).

/// What the records of a shard are. A four-character code, stored in the header.
public struct RecordKind: Hashable, Sendable, CustomStringConvertible {
  public let code: String  // exactly 4 ASCII characters
  public init(_ code: String) {
    precondition(code.utf8.count == 4, "record kind codes have 4 ASCII characters")
    self.code = code
  }
  public var description: String { code }

  /// gen-pvp input: one record per image, the questions asked about it.
  public static let pvpInput = RecordKind("PVPI")
  /// gen-pvp output: one record per image, the answers (targets) of its questions.
  public static let pvpOutput = RecordKind("PVPO")
}

/// A finished, compressed shard: the bytes that go to the blob store, and their digest.
public struct ShardBlob: Sendable {
  public var bytes: [UInt8]
  /// "sha256:<64 lowercase hex>" of `bytes`.
  public var digest: String
  public var size: Int { bytes.count }
}

/// Errors with a stable code and the shard they concern.
public struct ShardError: Error, CustomStringConvertible, Sendable {
  public enum Code: String, Sendable {
    case truncated, badMagic, unsupportedVersion, wrongKind, digestMismatch, corruptPayload,
      badRecord, compression
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
