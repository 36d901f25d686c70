/// A box by its corners `[x1, y1, x2, y2]` in pixels, as MiniGPT-v2's REC evaluation handles
/// boxes (a COCO `[x, y, w, h]` box has `x2 = x + w`).
public struct ReferBox: Sendable, Hashable {
  public var x1: Double
  public var y1: Double
  public var x2: Double
  public var y2: Double

  public init(x1: Double, y1: Double, x2: Double, y2: Double) {
    self.x1 = x1
    self.y1 = y1
    self.x2 = x2
    self.y2 = y2
  }

  /// IoU as MiniGPT-v2's `computeIoU`: corners are inclusive pixel indices, so every side is one
  /// pixel longer (`(x2 - x1 + 1) * (y2 - y1 + 1)`), and an empty overlap counts 0. Nil where
  /// Python divides by a zero union (the answer is then counted as a miss).
  public func iou(_ other: ReferBox) -> Double? {
    let width = max(0, min(x2, other.x2) - max(x1, other.x1) + 1)
    let height = max(0, min(y2, other.y2) - max(y1, other.y1) + 1)
    let intersection = width * height
    let area = (x2 - x1 + 1) * (y2 - y1 + 1)
    let otherArea = (other.x2 - other.x1 + 1) * (other.y2 - other.y1 + 1)
    let union = area + otherArea - intersection
    guard union != 0 else { return nil }
    return intersection / union
  }

  /// A REC hit at 0.5: IoU strictly greater than 0.5 with `truth`.
  public func hits(_ truth: ReferBox) -> Bool {
    guard let iou = iou(truth) else { return false }
    return iou > 0.5
  }
}
