/// What the records of a shard are. A four-character code, stored in the header.
///
/// A record kind names one record layout. Changing a layout means a new kind code, never a
/// silent change under an old one (docs/shard-format.md, "Versioning").
public struct RecordKind: Hashable, Sendable, CustomStringConvertible {
  public let code: String  // exactly 4 printable ASCII characters
  public init(_ code: String) {
    precondition(Self.isValid(Array(code.utf8)), "record kind codes have 4 printable ASCII characters")
    self.code = code
  }

  /// A kind from untrusted text (a flag, a header): nil unless 4 printable ASCII characters.
  public init?(validating code: String) {
    guard Self.isValid(Array(code.utf8)) else { return nil }
    self.code = code
  }

  /// A kind from the 4 header bytes; nil unless they are printable ASCII.
  init?(bytes: some Collection<UInt8>) {
    let array = Array(bytes)
    guard Self.isValid(array) else { return nil }
    self.code = String(decoding: array, as: UTF8.self)
  }

  public var description: String { code }

  /// The 4 bytes the header stores.
  var bytes: [UInt8] { Array(code.utf8) }

  private static func isValid(_ bytes: [UInt8]) -> Bool {
    bytes.count == 4 && bytes.allSatisfy { (0x20...0x7E).contains($0) }
  }

  /// gen-pvp input: one record per image, the questions asked about it.
  public static let pvpInput = RecordKind("PVPI")
  /// gen-pvp output: one record per image, the answers (targets) of its questions.
  public static let pvpOutput = RecordKind("PVPO")
}
