/// The referring-segmentation scores of the paper (LISA's definitions).
public enum SegmentationMetrics {
  /// Intersection and union of two masks of the same size; any non-zero byte is foreground.
  public static func overlap(predicted: [UInt8], truth: [UInt8]) throws(ReferError) -> MaskOverlap {
    guard predicted.count == truth.count else {
      throw ReferError(
        .sizeMismatch, "predicted mask has \(predicted.count) pixels, ground truth \(truth.count)")
    }
    var intersection: Int64 = 0
    var union: Int64 = 0
    for index in predicted.indices {
      let p = predicted[index] != 0
      let t = truth[index] != 0
      if p && t { intersection += 1 }
      if p || t { union += 1 }
    }
    return MaskOverlap(intersection: intersection, union: union)
  }

  /// Intersection and union of two run-length masks of the same size, without decoding them.
  public static func overlap(predicted: RLE, truth: RLE) throws(ReferError) -> MaskOverlap {
    guard predicted.height == truth.height, predicted.width == truth.width else {
      throw ReferError(
        .sizeMismatch,
        "predicted mask is \(predicted.height) x \(predicted.width), ground truth \(truth.height) x \(truth.width)"
      )
    }
    let intersection = RLE(
      unchecked: truth.height, truth.width, RLE.merge(predicted.counts, truth.counts, intersect: true))
    let union = RLE(
      unchecked: truth.height, truth.width, RLE.merge(predicted.counts, truth.counts, intersect: false))
    return MaskOverlap(intersection: Int64(intersection.area), union: Int64(union.area))
  }

  /// cIoU: the sum of intersections over the sum of unions of all sentences of a split; nil when
  /// every union is empty.
  public static func cumulativeIoU(_ overlaps: some Sequence<MaskOverlap>) -> Double? {
    var intersection: Int64 = 0
    var union: Int64 = 0
    for overlap in overlaps {
      intersection += overlap.intersection
      union += overlap.union
    }
    return union == 0 ? nil : Double(intersection) / Double(union)
  }

  /// gIoU: the mean of the per-sentence IoUs, an empty union counting 1; nil for no sentences.
  public static func meanIoU(_ overlaps: some Sequence<MaskOverlap>) -> Double? {
    var sum = 0.0
    var count = 0
    for overlap in overlaps {
      sum += overlap.iou
      count += 1
    }
    return count == 0 ? nil : sum / Double(count)
  }

  /// REC accuracy @0.5: the fraction of predicted boxes with IoU > 0.5 against their ground
  /// truth (``ReferBox/hits(_:)``); a missing (unparsable) prediction is a miss. Nil for no pairs.
  public static func recAccuracy(
    _ pairs: some Sequence<(predicted: ReferBox?, truth: ReferBox)>
  ) -> Double? {
    var hits = 0
    var count = 0
    for pair in pairs {
      count += 1
      if let predicted = pair.predicted, predicted.hits(pair.truth) { hits += 1 }
    }
    return count == 0 ? nil : Double(hits) / Double(count)
  }
}
