/// An error of training: a stable `code`, what it concerns (a file, a step, a shard, an option)
/// and a detail for people.
public struct TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// A file could not be read or written.
    public static let io = Code("io")
    /// A checkpoint or weights file that does not parse or is not what was expected.
    public static let badCheckpoint = Code("bad-checkpoint")
    /// A checkpoint made for another model configuration or adapter setting.
    public static let configMismatch = Code("config-mismatch")
    /// The data source is not gen-pvp output, or holds nothing to train on.
    public static let badData = Code("bad-data")
    /// An image referenced by the data cannot be read.
    public static let badImage = Code("bad-image")
    /// The loss or the gradients became NaN or infinite.
    public static let nonFinite = Code("non-finite")
    /// A prompt and answer do not fit in the model's positions.
    public static let tooLong = Code("too-long")
    /// An option out of range.
    public static let badOption = Code("bad-option")
  }

  public var code: Code
  public var context: String
  public var detail: String

  public init(_ code: Code, _ context: String, _ detail: String) {
    self.code = code
    self.context = context
    self.detail = detail
  }

  public var description: String { "training error \(code), \(context): \(detail)" }
}
