import Refer
import Testing

@Suite struct SegmentationMetricsTests {
  // Two 3 x 3 masks by hand:
  //   predicted   truth
  //   1 1 0       0 1 0
  //   1 1 0       0 1 1
  //   0 0 0       0 0 1
  // intersection 2 (the middle column's top two), union 6.
  static let predicted: [UInt8] = [1, 1, 0, 1, 1, 0, 0, 0, 0]
  static let truth: [UInt8] = [0, 1, 0, 0, 1, 1, 0, 0, 1]

  @Test func overlapByHand() throws {
    let overlap = try SegmentationMetrics.overlap(predicted: Self.predicted, truth: Self.truth)
    #expect(overlap == MaskOverlap(intersection: 2, union: 6))
    #expect(overlap.iou == 2.0 / 6.0)
  }

  /// Any non-zero byte is foreground (masks may come as 0/255).
  @Test func nonZeroBytesAreForeground() throws {
    let overlap = try SegmentationMetrics.overlap(
      predicted: Self.predicted.map { $0 * 255 }, truth: Self.truth.map { $0 * 7 })
    #expect(overlap == MaskOverlap(intersection: 2, union: 6))
  }

  @Test func runLengthOverlapEqualsPixelOverlap() throws {
    let byPixels = try SegmentationMetrics.overlap(predicted: Self.predicted, truth: Self.truth)
    let byRuns = try SegmentationMetrics.overlap(
      predicted: RLE(mask: Self.predicted, height: 3, width: 3),
      truth: RLE(mask: Self.truth, height: 3, width: 3))
    #expect(byRuns == byPixels)
  }

  /// The two fixture persons 7 and 8 of one image overlap; both methods agree.
  @Test func fixtureMasksBothWays() throws {
    let dataset = try ReferDataset.load(root: Fixtures.referMini, dataset: "refcoco", splitBy: "unc")
    let a = try dataset.rle(annotationID: 7)
    let b = try dataset.rle(annotationID: 8)
    let byRuns = try SegmentationMetrics.overlap(predicted: a, truth: b)
    let byPixels = try SegmentationMetrics.overlap(predicted: a.decoded(), truth: b.decoded())
    #expect(byRuns == byPixels)
    #expect(byRuns.union == Int64(a.area + b.area) - byRuns.intersection)
    let itself = try SegmentationMetrics.overlap(predicted: a, truth: a)
    #expect(itself == MaskOverlap(intersection: Int64(a.area), union: Int64(a.area)))
  }

  @Test func sizesMustMatch() throws {
    #expect(throws: ReferError.self) { try SegmentationMetrics.overlap(predicted: [1, 0], truth: [1]) }
    let small = try RLE(height: 1, width: 2, counts: [2])
    let large = try RLE(height: 2, width: 1, counts: [2])
    #expect(throws: ReferError.self) { try SegmentationMetrics.overlap(predicted: small, truth: large) }
  }

  /// (2, 4), (0, 3), (5, 5), (0, 0): cIoU = 7 / 12; gIoU = (0.5 + 0 + 1 + 1) / 4 = 0.625.
  @Test func cumulativeAndMeanIoUByHand() {
    let overlaps = [
      MaskOverlap(intersection: 2, union: 4), MaskOverlap(intersection: 0, union: 3),
      MaskOverlap(intersection: 5, union: 5), MaskOverlap(intersection: 0, union: 0),
    ]
    #expect(SegmentationMetrics.cumulativeIoU(overlaps) == 7.0 / 12.0)
    #expect(SegmentationMetrics.meanIoU(overlaps) == 0.625)
  }

  /// cIoU weighs sentences by their size; gIoU does not.
  @Test func cumulativeIoUFavoursLargeObjects() {
    let overlaps = [MaskOverlap(intersection: 990, union: 1000), MaskOverlap(intersection: 0, union: 10)]
    #expect(SegmentationMetrics.cumulativeIoU(overlaps) == 990.0 / 1010.0)
    #expect(SegmentationMetrics.meanIoU(overlaps) == 0.495)
  }

  @Test func emptyInputs() {
    #expect(SegmentationMetrics.cumulativeIoU([MaskOverlap]()) == nil)
    #expect(SegmentationMetrics.cumulativeIoU([MaskOverlap(intersection: 0, union: 0)]) == nil)
    #expect(SegmentationMetrics.meanIoU([MaskOverlap]()) == nil)
    #expect(MaskOverlap(intersection: 0, union: 0).iou == 1)
  }

  /// Hits: IoU 1 (hit), 1/7 (miss), unparsable (miss), exactly 0.5 (miss: strict) -> 1 / 4.
  @Test func recAccuracyByHand() {
    let truth = ReferBox(x1: 0, y1: 0, x2: 9, y2: 9)
    let pairs: [(predicted: ReferBox?, truth: ReferBox)] = [
      (truth, truth),
      (ReferBox(x1: 5, y1: 5, x2: 14, y2: 14), truth),
      (nil, truth),
      (ReferBox(x1: 0, y1: 0, x2: 9, y2: 19), truth),
    ]
    #expect(SegmentationMetrics.recAccuracy(pairs) == 0.25)
    #expect(SegmentationMetrics.recAccuracy([(predicted: ReferBox?, truth: ReferBox)]()) == nil)
  }
}
