/// The compressed RLE string of COCO JSON files and pycocotools (`rleToString`/`rleFrString`).
///
/// Each count becomes a little-endian sequence of 5-bit groups, one character per group
/// (`48 + group`, plus 32 when another group follows); the top bit of the last group is the sign.
/// From the fourth count on, the difference to the count two places earlier is stored instead.
extension RLE {
  /// Decodes a compressed string for a `height` x `width` mask.
  public init(compressed: String, height: Int, width: Int) throws(ReferError) {
    var counts: [UInt32] = []
    var value: Int64 = 0
    var groups = 0
    for byte in compressed.utf8 {
      guard byte >= 48, byte <= 111 else {
        throw ReferError(
          .badMask, "compressed RLE holds character \(byte) outside '0'...'o' at count \(counts.count)")
      }
      let group = Int64(byte - 48)
      // 12 groups (60 bits) already exceed any count of a mask that fits in memory.
      guard groups < 12 else {
        throw ReferError(.badMask, "compressed RLE value \(counts.count) is longer than 12 characters")
      }
      value |= (group & 0x1F) << (5 * groups)
      groups += 1
      if group & 0x20 != 0 { continue }
      if group & 0x10 != 0 { value |= -1 << (5 * groups) }
      if counts.count > 2 { value += Int64(counts[counts.count - 2]) }
      guard value >= 0, value <= Int64(UInt32.max) else {
        throw ReferError(.badMask, "compressed RLE count \(counts.count) decodes to \(value)")
      }
      counts.append(UInt32(value))
      value = 0
      groups = 0
    }
    guard groups == 0 else { throw ReferError(.badMask, "compressed RLE ends inside a value") }
    try self.init(height: height, width: width, counts: counts)
  }

  /// The compressed string pycocotools writes for these counts.
  public var compressed: String {
    var output: [UInt8] = []
    output.reserveCapacity(counts.count * 2)
    for index in counts.indices {
      var value = Int64(counts[index])
      if index > 2 { value -= Int64(counts[index - 2]) }
      var more = true
      while more {
        var group = UInt8(truncatingIfNeeded: value & 0x1F)
        value >>= 5
        more = group & 0x10 != 0 ? value != -1 : value != 0
        if more { group |= 0x20 }
        output.append(group + 48)
      }
    }
    return String(decoding: output, as: UTF8.self)
  }
}
