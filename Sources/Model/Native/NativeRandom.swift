import Foundation

/// SplitMix64: a small, fast, fully specified generator, so weights made from a seed are the same
/// on every platform and Swift version.
struct NativeRandom {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in (0, 1), never 0.
  mutating func nextUnit() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }

  /// Standard normal, Box-Muller (one value per call; the second is dropped for simplicity).
  mutating func nextNormal() -> Float {
    let u = nextUnit()
    let v = nextUnit()
    return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
  }

  /// FNV-1a of `text`, to derive an independent stream per tensor name.
  static func hash(_ text: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return h
  }
}
