/// A pickle that ``PickleReader`` cannot or will not decode: a stable code, the file and the byte
/// offset of the opcode concerned.
public struct PickleError: Error, CustomStringConvertible, Sendable, Equatable {
  public enum Code: String, Sendable {
    /// The file could not be read.
    case unreadable
    /// The input ends inside an opcode, or before `STOP`.
    case truncated
    /// A known opcode outside the plain-data subset (`GLOBAL`, `REDUCE`, `BUILD`, ...).
    case unsupportedOpcode
    /// A byte that is no pickle opcode at all.
    case unknownOpcode
    /// An opcode argument that is not what the opcode requires (bad digits, bad UTF-8, negative length).
    case malformed
    /// An opcode that finds the wrong things on the stack (nothing to pop, no mark, APPEND to a dict...).
    case badStack
    /// `GET` of a memo slot that was never `PUT`.
    case badMemo
    /// Marks or containers nested deeper than the limit (a container holding itself ends here too).
    case tooDeep
    /// Over a size limit: an integer beyond `Int64`, a stack or a result larger than allowed.
    case tooLarge
  }

  public var code: Code
  /// The file the pickle came from, when it came from a file.
  public var file: String?
  /// Byte offset of the opcode concerned (the end of the input for a missing `STOP`).
  public var offset: Int
  public var detail: String

  public init(_ code: Code, file: String?, offset: Int, _ detail: String) {
    self.code = code
    self.file = file
    self.offset = offset
    self.detail = detail
  }

  public var description: String { "\(file ?? "pickle") at byte \(offset): \(detail)" }
}
