/// An error of the native model: a stable `code`, the weights file it concerns (if any), the
/// tensor (if any) and a detail for people.
public struct NativeModelError: Error, Sendable, Equatable, CustomStringConvertible {
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The file could not be opened, read or written.
    public static let io = Code("io")
    /// Shorter than its header or its data offsets say.
    public static let truncated = Code("truncated")
    /// The header is not the JSON a safetensors file holds.
    public static let badHeader = Code("bad-header")
    /// `__metadata__` lacks the format, its version or the config, or they do not parse.
    public static let badMetadata = Code("bad-metadata")
    public static let unsupportedVersion = Code("unsupported-version")
    public static let invalidConfig = Code("invalid-config")
    public static let missingTensor = Code("missing-tensor")
    public static let unexpectedTensor = Code("unexpected-tensor")
    public static let shapeMismatch = Code("shape-mismatch")
    public static let unsupportedDtype = Code("unsupported-dtype")
    /// Data offsets out of range, overlapping, or not matching the shape.
    public static let badOffsets = Code("bad-offsets")
    /// A tensor holds NaN or infinity.
    public static let nonFiniteValue = Code("non-finite-value")
    /// The pixel tensor does not have 3 x imageSize x imageSize values.
    public static let badImage = Code("bad-image")
    /// Prefix plus question do not fit in `maxPositions`.
    public static let promptTooLong = Code("prompt-too-long")
  }

  public var code: Code
  public var file: String?
  public var tensor: String?
  public var detail: String

  public init(code: Code, file: String? = nil, tensor: String? = nil, detail: String) {
    self.code = code
    self.file = file
    self.tensor = tensor
    self.detail = detail
  }

  public var description: String {
    var parts = ["native model error \(code)"]
    if let file { parts.append("file \(file)") }
    if let tensor { parts.append("tensor \(tensor)") }
    return parts.joined(separator: ", ") + ": " + detail
  }
}
