/// Why an image could not be decoded or encoded, and which file it was.
public struct ImageError: Error, CustomStringConvertible, Sendable, Equatable {
  public enum Code: String, Sendable {
    /// Neither JPEG nor PNG (sniffed from the first bytes, not the file name).
    case unsupportedFormat
    /// Broken, truncated or otherwise undecodable data.
    case corrupt
    /// The header claims more pixels than allowed (a decompression bomb).
    case tooLarge
    /// Zero bytes.
    case empty
    /// The file could not be read.
    case io
  }

  public var code: Code
  /// The file (or name) the bytes came from.
  public var file: String
  public var detail: String

  public init(_ code: Code, file: String, detail: String) {
    self.code = code
    self.file = file
    self.detail = detail
  }

  public var description: String { "\(file): \(code.rawValue): \(detail)" }
}
