/// Question *i* of a job as a pure function of (seed, i): which sample slot and which grid cell.
///
/// A counter-based generator (SplitMix64 finaliser over seed and index) rather than a stream, so
/// any shard can compute its questions without the ones before it, and the result does not depend
/// on how the job was split.
public struct QuestionSampler: Sendable {
  public let seed: UInt64
  public let slots: Int
  public let grid: Int

  public init(seed: UInt64, slots: Int, grid: Int) {
    precondition(slots > 0 && grid > 0)
    self.seed = seed
    self.slots = slots
    self.grid = grid
  }

  public struct Question: Equatable, Sendable {
    public var slot: Int
    public var row: Int
    public var col: Int
    public init(slot: Int, row: Int, col: Int) {
      self.slot = slot
      self.row = row
      self.col = col
    }
  }

  public func question(_ index: UInt64) -> Question {
    let base = base(index)
    let cell = Self.below(UInt64(grid * grid), Self.mix(base &+ 2))
    return Question(slot: slot(base: base), row: Int(cell) / grid, col: Int(cell) % grid)
  }

  /// Question `index`'s slot alone (what planning by image needs for every question).
  @inline(__always)
  public func slot(_ index: UInt64) -> Int { slot(base: base(index)) }

  @inline(__always)
  func base(_ index: UInt64) -> UInt64 { Self.mix(seed &+ Self.mix(index &+ 0x5851_F42D_4C95_7F2D)) }

  @inline(__always)
  func slot(base: UInt64) -> Int { Int(Self.below(UInt64(slots), Self.mix(base &+ 1))) }

  /// SplitMix64's output function: a bijective 64-bit mixer.
  @inline(__always)
  public static func mix(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Maps a uniform 64-bit value onto 0..<n (multiply-high; bias below 2^-40 for our sizes).
  @inline(__always)
  static func below(_ n: UInt64, _ random: UInt64) -> UInt64 {
    random.multipliedFullWidth(by: n).high
  }
}
