/// One 8-bit RGB colour: a parsed pixel answer. A plain value (no heap storage), so a record can
/// hold one per question cheaply.
public struct RGBColour: Equatable, Hashable, Sendable {
  public var r: UInt8
  public var g: UInt8
  public var b: UInt8

  public init(r: UInt8, g: UInt8, b: UInt8) {
    self.r = r
    self.g = g
    self.b = b
  }

  /// Channel 0, 1 or 2.
  public subscript(channel: Int) -> UInt8 {
    switch channel {
    case 0: r
    case 1: g
    default: b
    }
  }

  /// `[r, g, b]`.
  public var bytes: [UInt8] { [r, g, b] }
}
