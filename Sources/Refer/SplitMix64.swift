/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, well-mixed 64-bit generator that is easy to
/// reimplement in any language, which is why the sentence sample is defined with it.
public struct SplitMix64: Sendable {
  public var state: UInt64

  public init(state: UInt64) { self.state = state }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform integer in `0..<bound` by rejection: draws below the largest multiple of `bound`
  /// are kept and reduced modulo `bound`.
  public mutating func next(below bound: UInt64) -> UInt64 {
    precondition(bound > 0)
    let limit = UInt64.max - UInt64.max % bound
    while true {
      let value = next()
      if value < limit { return value % bound }
    }
  }
}

/// 64-bit FNV-1a of UTF-8 text: turns a split's name into a generator stream.
func fnv1a64(_ text: String) -> UInt64 {
  var hash: UInt64 = 0xCBF2_9CE4_8422_2325
  for byte in text.utf8 {
    hash ^= UInt64(byte)
    hash &*= 0x0000_0100_0000_01B3
  }
  return hash
}
