import Imaging
public import Refer

/// How a grid x grid mask and a width x height image map onto each other: exactly as Pillow's
/// `resize(..., NEAREST)` does, in both directions (ground truth down to the grid, predictions up
/// to the image). Masks stay run-length encoded throughout, so scoring a sentence never holds a
/// full-resolution mask in memory.
public struct SegmentationGrid: Sendable {
  public let width: Int
  public let height: Int
  public let grid: Int
  /// The image column (row) NEAREST reads for each grid column (row); -1 outside the image.
  let downColumns: [Int]
  let downRows: [Int]
  /// The grid column (row) NEAREST reads for each image column (row); -1 outside the grid.
  let upColumns: [Int]
  let upRows: [Int]

  public init(width: Int, height: Int, grid: Int) {
    precondition(width > 0 && height > 0 && grid > 0, "empty image or grid")
    self.width = width
    self.height = height
    self.grid = grid
    func indices(_ from: Int, _ to: Int) -> [Int] {
      Resampler.nearestSourceIndices(from: from, to: to).map { $0 ?? -1 }
    }
    downColumns = indices(width, grid)
    downRows = indices(height, grid)
    upColumns = indices(grid, width)
    upRows = indices(grid, height)
  }

  /// The cells whose centre lies inside `box` (all of them for nil), as `row * grid + col`,
  /// ascending. The rule, in grid units: the box's corners scale to `gx = x * grid / width`,
  /// `gy = y * grid / height`, and cell (row, col), whose centre is (col + 0.5, row + 0.5), is
  /// inside when `gx1 <= col + 0.5 <= gx2` and `gy1 <= row + 0.5 <= gy2` (edges included). A box
  /// with x1 > x2 or y1 > y2 holds no cell.
  public static func cells(inside box: ReferBox?, width: Int, height: Int, grid: Int) -> [UInt32] {
    guard let box else { return (0..<UInt32(grid * grid)).map { $0 } }
    let g = Double(grid)
    let gx1 = box.x1 * g / Double(width)
    let gx2 = box.x2 * g / Double(width)
    let gy1 = box.y1 * g / Double(height)
    let gy2 = box.y2 * g / Double(height)
    var cells: [UInt32] = []
    for row in 0..<grid {
      let cy = Double(row) + 0.5
      guard gy1 <= cy, cy <= gy2 else { continue }
      for col in 0..<grid {
        let cx = Double(col) + 0.5
        if gx1 <= cx, cx <= gx2 { cells.append(UInt32(row * grid + col)) }
      }
    }
    return cells
  }

  public func cells(inside box: ReferBox?) -> [UInt32] {
    Self.cells(inside: box, width: width, height: height, grid: grid)
  }

  /// The full-resolution mask `truth` resized to the grid with NEAREST (row-major, 0/1): what
  /// `Image.fromarray(mask).resize((grid, grid), NEAREST)` gives.
  public func gridMask(of truth: RLE) -> [UInt8] {
    precondition(truth.width == width && truth.height == height, "mask size differs from the grid's image")
    return Self.sample(truth, columns: downColumns, rows: downRows)
  }

  /// The grid mask (row-major, non-zero = foreground) resized to the image with NEAREST, as runs.
  public func upsample(_ gridMask: [UInt8]) -> RLE {
    precondition(gridMask.count == grid * grid, "grid mask has the wrong size")
    // upRows never decreases, so a column of the image is at most grid + 1 constant segments.
    var segments: [(row: Int, length: Int)] = []
    for row in upRows {
      if let last = segments.last, last.row == row {
        segments[segments.count - 1].length += 1
      } else {
        segments.append((row, 1))
      }
    }
    var counts: [UInt32] = []
    var value = false
    var run: UInt32 = 0
    for column in upColumns {
      for segment in segments {
        let on = column >= 0 && segment.row >= 0 && gridMask[segment.row * grid + column] != 0
        if on != value {
          counts.append(run)
          run = 0
          value = on
        }
        run += UInt32(segment.length)
      }
    }
    counts.append(run)
    // The runs cover width x height by construction.
    guard let rle = try? RLE(height: height, width: width, counts: counts) else {
      preconditionFailure("upsampled runs do not cover the image")
    }
    return rle
  }

  /// `mask` read at the pixels (columns[c], rows[r]) into a rows.count x columns.count row-major
  /// image (0/1; an index of -1 reads 0). Both index lists must never decrease (NEAREST maps do
  /// not), so one walk over the runs suffices.
  public static func sample(_ mask: RLE, columns: [Int], rows: [Int]) -> [UInt8] {
    let outWidth = columns.count
    var out = [UInt8](repeating: 0, count: outWidth * rows.count)
    var runIndex = 0
    var runStart = 0
    var runEnd = mask.counts.first.map { Int($0) } ?? 0
    var previousColumn = -2
    for (c, column) in columns.enumerated() {
      if column == previousColumn, c > 0 {
        for r in 0..<rows.count { out[r * outWidth + c] = out[r * outWidth + c - 1] }
        continue
      }
      previousColumn = column
      guard column >= 0, column < mask.width else { continue }
      for (r, row) in rows.enumerated() where row >= 0 && row < mask.height {
        let target = column * mask.height + row
        while target >= runEnd, runIndex + 1 < mask.counts.count {
          runIndex += 1
          runStart = runEnd
          runEnd = runStart + Int(mask.counts[runIndex])
        }
        if runIndex % 2 == 1, target >= runStart, target < runEnd { out[r * outWidth + c] = 1 }
      }
    }
    return out
  }

  /// `gridMask` as the image-sized prediction would be seen at a display size: display pixel ->
  /// image pixel -> grid cell, all NEAREST (for pictures; scoring uses ``upsample(_:)``).
  public func displayMask(_ gridMask: [UInt8], width displayWidth: Int, height displayHeight: Int)
    -> [UInt8]
  {
    let columns = Resampler.nearestSourceIndices(from: width, to: displayWidth).map { x in
      x.map { upColumns[$0] } ?? -1
    }
    let rows = Resampler.nearestSourceIndices(from: height, to: displayHeight).map { y in
      y.map { upRows[$0] } ?? -1
    }
    var out = [UInt8](repeating: 0, count: displayWidth * displayHeight)
    for (r, row) in rows.enumerated() where row >= 0 {
      for (c, column) in columns.enumerated() where column >= 0 {
        out[r * displayWidth + c] = gridMask[row * grid + column] != 0 ? 1 : 0
      }
    }
    return out
  }
}
