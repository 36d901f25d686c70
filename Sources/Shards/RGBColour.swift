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

  /// The canonical answer text `[r,g,b]` (decimal, no spaces): what the paper's format asks a
  /// model to answer, and what `TaskFormat.pixelAnswer` writes. At most 13 bytes, so a small
  /// string with no heap storage.
  public var answerText: String {
    String(unsafeUninitializedCapacity: 13) { buffer in
      var n = 0
      for (k, value) in [r, g, b].enumerated() {
        buffer[n] = k == 0 ? UInt8(ascii: "[") : UInt8(ascii: ",")
        n += 1
        if value >= 100 {
          buffer[n] = UInt8(ascii: "0") + value / 100
          n += 1
        }
        if value >= 10 {
          buffer[n] = UInt8(ascii: "0") + value / 10 % 10
          n += 1
        }
        buffer[n] = UInt8(ascii: "0") + value % 10
        n += 1
      }
      buffer[n] = UInt8(ascii: "]")
      return n + 1
    }
  }
}

extension RGBColour: ExpressibleByArrayLiteral {
  /// `[r, g, b]`: exactly three channels.
  public init(arrayLiteral channels: UInt8...) {
    precondition(channels.count == 3, "an RGB colour has 3 channels, not \(channels.count)")
    self.init(r: channels[0], g: channels[1], b: channels[2])
  }
}
