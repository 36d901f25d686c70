import Foundation
import Refer
import Testing

@Suite struct COCOMaskTests {
  /// pycocotools 2.0.11's answers (`coco_cases.json`, written by `make_coco_cases.py`).
  struct PolygonCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var height: Int
    var width: Int
    var polygons: [[Double]]
    var compressed: String
    var area: Int
    var bbox: [Int]
    var counts: [UInt32]
    var testDescription: String { name }
  }

  struct AnnotationCase: Decodable {
    var compressed: String
    var area: Int
    var bbox: [Int]
  }

  struct Cases: Decodable {
    var polygons: [PolygonCase]
    var annotations: [String: AnnotationCase]
  }

  /// `data/refer-mini/expected/summary.json`, the fields used here.
  struct Summary: Decodable {
    var mask_area: Int
    var mask_bbox: [Int]
    var height: Int
    var width: Int
  }

  static let cases = try? Fixtures.json("coco_cases.json", as: Cases.self)
  static let polygonCases = cases?.polygons ?? []
  static let annotationIDs = Array(1...12)

  static let dataset = Result {
    try ReferDataset.load(root: Fixtures.referMini, dataset: "refcoco", splitBy: "unc")
  }

  // MARK: The refer-mini annotations against the expected PNGs

  /// Every annotation's mask equals `expected/<ann_id>.png` pixel for pixel (the PNGs' pixels are
  /// run-length coded by `make_expected_masks.py`, without pycocotools).
  @Test(arguments: annotationIDs) func matchesExpectedPNG(annotationID: Int) throws {
    let dataset = try Self.dataset.get()
    let expectedRuns = try #require(
      try Fixtures.json("expected_masks.json", as: [String: Fixtures.Runs].self)["\(annotationID)"])
    let expected = expectedRuns.mask()
    let rle = try dataset.rle(annotationID: annotationID)
    #expect([rle.height, rle.width] == expectedRuns.size)
    let mask = rle.decoded()
    let differing = zip(mask, expected).filter { $0 != $1 }.count
    #expect(differing == 0, "\(differing) pixels differ from expected/\(annotationID).png")
  }

  /// Area and tight box equal `summary.json`; the compressed string equals pycocotools'.
  @Test(arguments: annotationIDs) func matchesSummaryAndPycocotools(annotationID: Int) throws {
    let dataset = try Self.dataset.get()
    let summaryURL = URL(fileURLWithPath: Fixtures.referMini + "/expected/summary.json")
    let summary = try #require(
      try JSONDecoder().decode([String: Summary].self, from: Data(contentsOf: summaryURL))["\(annotationID)"])
    let rle = try dataset.rle(annotationID: annotationID)
    #expect(rle.area == summary.mask_area)
    let box = rle.boundingBox
    #expect([box.x, box.y, box.width, box.height] == summary.mask_bbox)
    #expect(rle.height == summary.height && rle.width == summary.width)
    let reference = try #require(Self.cases?.annotations["\(annotationID)"])
    #expect(rle.compressed == reference.compressed)
    #expect(rle.area == reference.area)
    #expect([box.x, box.y, box.width, box.height] == reference.bbox)
  }

  // MARK: Hand-made polygons against pycocotools

  @Test func casesAreLoaded() {
    #expect(Self.polygonCases.count == 54)
    #expect(Self.cases?.annotations.count == 12)
  }

  @Test(arguments: polygonCases) func polygonsMatchPycocotools(_ sample: PolygonCase) throws {
    let rle = try COCOMask.rle(
      for: .polygons(sample.polygons), height: sample.height, width: sample.width)
    #expect(rle.counts == sample.counts)
    #expect(rle.compressed == sample.compressed)
    #expect(rle.area == sample.area)
    let box = rle.boundingBox
    #expect([box.x, box.y, box.width, box.height] == sample.bbox)
  }

  /// The square with corners (1, 1) and (4, 3) covers the pixels whose centres lie inside it:
  /// columns 1-3 of rows 1-2.
  @Test func squareByHand() throws {
    let mask = try COCOMask.mask(
      for: .polygons([[1, 1, 4, 1, 4, 3, 1, 3]]), height: 6, width: 7)
    var expected = [UInt8](repeating: 0, count: 42)
    for y in 1...2 {
      for x in 1...3 { expected[y * 7 + x] = 1 }
    }
    #expect(mask == expected)
  }

  /// Two overlapping squares of one object: the union, not the sum.
  @Test func overlappingPolygonsAreUnited() throws {
    let first = try COCOMask.rle(for: .polygons([[1, 1, 7, 1, 7, 7, 1, 7]]), height: 12, width: 12)
    let second = try COCOMask.rle(for: .polygons([[4, 4, 10, 4, 10, 10, 4, 10]]), height: 12, width: 12)
    let both = try COCOMask.rle(
      for: .polygons([[1, 1, 7, 1, 7, 7, 1, 7], [4, 4, 10, 4, 10, 10, 4, 10]]), height: 12, width: 12)
    let overlap = try SegmentationMetrics.overlap(predicted: first, truth: second)
    #expect(overlap.intersection == 9)
    #expect(both.area == first.area + second.area - 9)
    #expect(both.decoded() == zip(first.decoded(), second.decoded()).map { $0 | $1 })
  }

  // MARK: Crowd RLE annotations

  @Test func crowdUncompressedRLE() throws {
    let json = #"{"counts": [5, 3, 4, 10, 2, 2, 9, 28], "size": [7, 9]}"#
    let segmentation = try JSONDecoder().decode(COCOSegmentation.self, from: Data(json.utf8))
    let rle = try COCOMask.rle(for: segmentation, height: 7, width: 9)
    // pycocotools: frPyObjects -> '5347NH7j0', area 43, bbox [0, 0, 9, 7].
    #expect(rle.compressed == "5347NH7j0")
    #expect(rle.area == 43)
    #expect(rle.boundingBox == RLE.Box(x: 0, y: 0, width: 9, height: 7))
  }

  @Test func crowdCompressedRLE() throws {
    let json = #"{"counts": "5347NH7j0", "size": [7, 9]}"#
    let segmentation = try JSONDecoder().decode(COCOSegmentation.self, from: Data(json.utf8))
    #expect(segmentation == .rle(try RLE(height: 7, width: 9, counts: [5, 3, 4, 10, 2, 2, 9, 28])))
  }

  // MARK: Refusals

  struct Refusal: Sendable, CustomTestStringConvertible {
    var name: String
    var segmentation: COCOSegmentation
    var code: ReferError.Code
    var testDescription: String { name }
  }

  static let refusals: [Refusal] = [
    Refusal(name: "no polygon", segmentation: .polygons([]), code: .badMask),
    Refusal(name: "first polygon of 4 values", segmentation: .polygons([[1, 1, 3, 3]]), code: .badMask),
    Refusal(name: "NaN vertex", segmentation: .polygons([[1, 1, .nan, 3, 4, 4]]), code: .badMask),
    Refusal(name: "infinite vertex", segmentation: .polygons([[1, 1, .infinity, 3, 4, 4]]), code: .badMask),
    Refusal(name: "vertex at 1e12", segmentation: .polygons([[1, 1, 1e12, 3, 4, 4]]), code: .badMask),
    Refusal(
      name: "outline of a billion points", segmentation: .polygons([[0, 0, 3e8, 0, 3e8, 1]]), code: .badMask),
    Refusal(
      name: "RLE of another size", segmentation: .rle(try! RLE(height: 2, width: 2, counts: [4])),
      code: .sizeMismatch),
  ]

  @Test(arguments: refusals) func refused(_ refusal: Refusal) throws {
    do {
      _ = try COCOMask.rle(for: refusal.segmentation, height: 5, width: 5)
      Issue.record("expected an error")
    } catch {
      #expect(error.code == refusal.code, "\(error)")
    }
  }

  @Test func zeroSizeImageIsRefused() throws {
    #expect(throws: ReferError.self) { try RLE.polygon([1, 1, 3, 1, 3, 3], height: 0, width: 5) }
  }
}
