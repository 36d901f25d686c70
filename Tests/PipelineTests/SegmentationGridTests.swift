import Imaging
import Pipeline
import Refer
import Testing

@Suite struct SegmentationGridTests {
  static func dataset() throws -> ReferDataset {
    try ReferDataset.load(root: ReferMini.root, dataset: "refcoco", splitBy: "unc")
  }

  /// Down to the grid without decoding: the same bytes as Pillow's NEAREST (expected/masks64).
  @Test(arguments: Array(1...12))
  func gridMaskIsPillowsNearest(_ annotation: Int) throws {
    let rle = try Self.dataset().rle(annotationID: annotation)
    let geometry = SegmentationGrid(width: rle.width, height: rle.height, grid: 64)
    let expected = try ReferMini.mask64(annotation).pixels.map { $0 != 0 ? UInt8(1) : 0 }
    #expect(geometry.gridMask(of: rle) == expected)
    #expect(expected.reduce(0) { $0 + Int($1) } == ReferMini.summary[annotation]?.mask64Area)
  }

  /// Up to the image as runs: the same mask as resizing the grid image with NEAREST, then
  /// encoding it.
  @Test(arguments: [(500, 338, 64), (500, 375, 64), (37, 91, 8), (5, 3, 7), (64, 64, 64)])
  func upsampleIsNearestThenEncode(_ width: Int, _ height: Int, _ grid: Int) throws {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(width * 1000 + height)
    var cells = [UInt8](repeating: 0, count: grid * grid)
    for i in cells.indices {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      cells[i] = (state >> 33) % 3 == 0 ? 1 : 0
    }
    let geometry = SegmentationGrid(width: width, height: height, grid: grid)
    let up = Resampler.nearest(
      GrayImage(width: grid, height: grid, pixels: cells), width: width, height: height)
    let expected = try RLE(mask: up.pixels, height: height, width: width)
    #expect(geometry.upsample(cells) == expected)
  }

  @Test func upsampleOfAnEmptyOrFullGrid() throws {
    let geometry = SegmentationGrid(width: 10, height: 6, grid: 4)
    #expect(geometry.upsample([UInt8](repeating: 0, count: 16)).counts == [60])
    #expect(geometry.upsample([UInt8](repeating: 1, count: 16)).counts == [0, 60])
  }

  /// Hand-computed: a 4 x 4 grid over a 100 x 100 image, so one cell is 25 pixels and its centre
  /// sits at 12.5 + 25 k.
  @Test func cellsInsideABox() {
    func cells(_ box: ReferBox?) -> [UInt32] {
      SegmentationGrid.cells(inside: box, width: 100, height: 100, grid: 4)
    }
    #expect(cells(nil) == Array(0..<16))
    // Centres 12.5 and 37.5 are inside [0, 50]; 62.5 is not.
    #expect(cells(ReferBox(x1: 0, y1: 0, x2: 50, y2: 50)) == [0, 1, 4, 5])
    // Edges count: x1 = 12.5 and x2 = 37.5 are exactly the centres of columns 0 and 1.
    #expect(cells(ReferBox(x1: 12.5, y1: 62.5, x2: 37.5, y2: 100)) == [8, 9, 12, 13])
    #expect(cells(ReferBox(x1: 12.6, y1: 62.5, x2: 37.4, y2: 100)) == [])
    // A box that misses every centre, and an inverted box, hold no cell.
    #expect(cells(ReferBox(x1: 40, y1: 40, x2: 60, y2: 60)) == [])
    #expect(cells(ReferBox(x1: 90, y1: 90, x2: 10, y2: 10)) == [])
    // Outside the image on every side: all cells.
    #expect(cells(ReferBox(x1: -5, y1: -5, x2: 500, y2: 500)) == Array(0..<16))
  }

  /// The fixture's ground-truth boxes hold every cell of their grid mask, so `--box gt` loses
  /// nothing against `--box full`.
  @Test(arguments: Array(1...12))
  func groundTruthBoxHoldsTheGridMask(_ annotation: Int) throws {
    let dataset = try Self.dataset()
    let box = try #require(dataset.annotations[annotation]).box
    let image = try #require(dataset.images[dataset.annotations[annotation]!.imageID])
    let inside = Set(SegmentationGrid.cells(inside: box, width: image.width, height: image.height, grid: 64))
    let mask = try ReferMini.mask64(annotation)
    for (cell, value) in mask.pixels.enumerated() where value != 0 {
      #expect(inside.contains(UInt32(cell)), "ann \(annotation) cell \(cell)")
    }
  }

  /// Sampling with repeated and out-of-range indices (what display scaling produces).
  @Test func sampleRepeatsAndSkips() throws {
    // 3 x 2 mask (height 3, width 2), column-major runs: column 0 = 0,1,1; column 1 = 1,0,0.
    let rle = try RLE(height: 3, width: 2, counts: [1, 3, 2])
    #expect(rle.decoded() == [0, 1, 1, 0, 1, 0])
    let out = SegmentationGrid.sample(rle, columns: [0, 0, 1, -1], rows: [0, 2, 2])
    #expect(out == [0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0])
  }
}
