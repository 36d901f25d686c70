/// A binary mask in COCO run-length encoding, exactly as pycocotools stores it: `counts` are the
/// lengths of alternating runs of 0s and 1s, starting with 0s (so `counts[0]` may be 0), walking
/// the mask column by column (column-major), and summing to `height * width`.
public struct RLE: Sendable, Hashable {
  public let height: Int
  public let width: Int
  public let counts: [UInt32]

  /// Checks that the runs cover the mask exactly.
  public init(height: Int, width: Int, counts: [UInt32]) throws(ReferError) {
    let size = height.multipliedReportingOverflow(by: width)
    guard height >= 0, width >= 0, !size.overflow, size.partialValue <= Int(UInt32.max) else {
      throw ReferError(.badMask, "mask size \(height) x \(width) is out of range")
    }
    let total = counts.reduce(0) { $0 + Int($1) }
    guard total == height * width else {
      throw ReferError(
        .badMask, "RLE counts sum to \(total), not height x width = \(height) x \(width) = \(height * width)")
    }
    self.init(unchecked: height, width, counts)
  }

  init(unchecked height: Int, _ width: Int, _ counts: [UInt32]) {
    self.height = height
    self.width = width
    self.counts = counts
  }

  /// Encodes a row-major `height` x `width` mask (any non-zero byte is foreground), as
  /// pycocotools' `encode` does.
  public init(mask: [UInt8], height: Int, width: Int) throws(ReferError) {
    let size = height.multipliedReportingOverflow(by: width)
    guard height >= 0, width >= 0, !size.overflow, size.partialValue == mask.count,
      mask.count <= Int(UInt32.max)
    else {
      throw ReferError(.sizeMismatch, "mask of \(mask.count) bytes is not \(height) x \(width)")
    }
    self.init(unchecked: height, width, RLE.runLengths(mask, height: height, width: width))
  }

  static func runLengths(_ mask: [UInt8], height: Int, width: Int) -> [UInt32] {
    var counts: [UInt32] = []
    var value = false
    var run: UInt32 = 0
    for x in 0..<width {
      for y in 0..<height {
        if (mask[y * width + x] != 0) != value {
          counts.append(run)
          run = 0
          value.toggle()
        }
        run += 1
      }
    }
    counts.append(run)
    return counts
  }

  /// Number of foreground pixels (pycocotools `area`).
  public var area: Int {
    stride(from: 1, to: counts.count, by: 2).reduce(0) { $0 + Int(counts[$1]) }
  }

  /// The mask as `height * width` bytes, row-major, 1 for foreground and 0 for background.
  public func decoded() -> [UInt8] {
    var mask = [UInt8](repeating: 0, count: height * width)
    var start = 0
    for (index, count) in counts.enumerated() {
      let length = Int(count)
      if index % 2 == 1, length > 0 {
        var x = start / height
        var y = start % height
        for _ in 0..<length {
          mask[y * width + x] = 1
          y += 1
          if y == height {
            y = 0
            x += 1
          }
        }
      }
      start += length
    }
    return mask
  }
}
