extension RLE {
  /// A box in whole pixels: `x`, `y` of the top-left pixel, and the size.
  public struct Box: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
      self.x = x
      self.y = y
      self.width = width
      self.height = height
    }
  }

  /// The tight box around the foreground as pycocotools 2.0.11 `toBbox` computes it: a foreground
  /// run that continues into the next column makes the box span the full height. An empty mask
  /// gives a zero box (where pycocotools would return wrapped-around values for runs of length 0).
  public var boundingBox: Box {
    guard height > 0 else { return Box(x: 0, y: 0, width: 0, height: 0) }
    var minX = Int.max
    var minY = Int.max
    var maxX = -1
    var maxY = -1
    var start = 0
    let paired = counts.count / 2 * 2
    for index in 0..<paired {
      let length = Int(counts[index])
      defer { start += length }
      guard index % 2 == 1, length > 0 else { continue }
      let end = start + length - 1
      let startX = start / height
      let endX = end / height
      minX = min(minX, startX)
      maxX = max(maxX, endX)
      if startX < endX {
        minY = 0
        maxY = height - 1
      } else {
        minY = min(minY, start % height)
        maxY = max(maxY, end % height)
      }
    }
    guard maxX >= 0 else { return Box(x: 0, y: 0, width: 0, height: 0) }
    return Box(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1)
  }
}
