/// Pixel counts of one predicted mask against its ground truth.
public struct MaskOverlap: Sendable, Hashable {
  public var intersection: Int64
  public var union: Int64

  public init(intersection: Int64, union: Int64) {
    self.intersection = intersection
    self.union = union
  }

  /// `intersection / union`, and 1 when both masks are empty (LISA's convention for gIoU).
  public var iou: Double {
    union == 0 ? 1 : Double(intersection) / Double(union)
  }
}
