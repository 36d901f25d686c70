import Foundation

/// SplitMix64: the one generator of training (data sampling, augmentations, adapter init), so a
/// run is a pure function of its seed and its step.
public struct TrainingRandom: Sendable {
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  /// A generator for (seed, stream, index), e.g. the batch of step `index`.
  public init(seed: UInt64, stream: UInt64, index: UInt64) {
    var mixer = TrainingRandom(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
    _ = mixer.next()
    state = mixer.next() ^ (index &* 0xD1B5_4A32_D192_ED03)
  }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1).
  public mutating func unit() -> Double { Double(next() >> 11) / 9_007_199_254_740_992 }

  /// Uniform in `range`.
  public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
    range.lowerBound + unit() * (range.upperBound - range.lowerBound)
  }

  /// Uniform integer in `0..<bound`.
  public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }

  /// Standard normal (Box-Muller).
  public mutating func normal() -> Float {
    let u = max(unit(), 1e-300)
    let v = unit()
    return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
  }
}
