import Foundation

extension RLE {
  /// Most boundary points a polygon may produce: the outline is walked at 5x resolution, so this
  /// allows outlines of about 27 million pixels — far beyond any image, far below a denial of service.
  static let maxOutlinePoints = 1 << 27

  /// Rasterises one polygon `[x1, y1, x2, y2, ...]` (pixel coordinates) into a `height` x `width`
  /// mask exactly as pycocotools' `rleFrPoly` does:
  ///
  /// 1. vertices are scaled by 5 and rounded with `Int(5 * v + 0.5)` (truncation toward zero);
  /// 2. every edge is walked one upsampled step at a time along its longer axis, the other
  ///    coordinate rounded the same way;
  /// 3. wherever the walk crosses a column boundary that falls on a pixel centre column inside the
  ///    image, the row where the column's foreground starts is recorded (clamped to `0...height`);
  /// 4. those points, sorted in column-major order, toggle the mask on and off.
  ///
  /// With an odd number of values the last one is ignored (as pycocotools does); fewer than two
  /// vertices give an empty mask.
  public static func polygon(_ coordinates: [Double], height: Int, width: Int) throws(ReferError) -> RLE {
    let size = height.multipliedReportingOverflow(by: width)
    guard height > 0, width > 0, !size.overflow, size.partialValue <= Int(UInt32.max) else {
      throw ReferError(.badMask, "cannot rasterise a polygon into a \(height) x \(width) image")
    }
    let scale = 5.0
    let vertexCount = coordinates.count / 2
    var xs: [Int] = []
    var ys: [Int] = []
    xs.reserveCapacity(vertexCount + 1)
    ys.reserveCapacity(vertexCount + 1)
    for index in 0..<vertexCount {
      let x = coordinates[2 * index]
      let y = coordinates[2 * index + 1]
      // pycocotools converts to a C int; beyond that range (or for NaN) its result is undefined.
      guard x.isFinite, y.isFinite, abs(x) <= 4e8, abs(y) <= 4e8 else {
        throw ReferError(.badMask, "polygon vertex \(index) (\(x), \(y)) is not a usable coordinate")
      }
      xs.append(Int(scale * x + 0.5))
      ys.append(Int(scale * y + 0.5))
    }
    guard vertexCount > 0 else {
      return RLE(unchecked: height, width, [UInt32(size.partialValue)])
    }
    xs.append(xs[0])
    ys.append(ys[0])

    var outlinePoints = 0
    for index in 0..<vertexCount {
      outlinePoints += max(abs(xs[index] - xs[index + 1]), abs(ys[index] - ys[index + 1])) + 1
      guard outlinePoints <= maxOutlinePoints else {
        throw ReferError(.badMask, "polygon outline is too long to rasterise (\(outlinePoints)+ points)")
      }
    }

    // Column-major positions where the mask toggles, gathered while walking the outline.
    var toggles: [Int] = []
    var previous: (u: Int, v: Int)? = nil
    func visit(_ u: Int, _ v: Int) {
      defer { previous = (u, v) }
      guard let (lastU, lastV) = previous, u != lastU else { return }
      let column = (Double(u < lastU ? u : u - 1) + 0.5) / scale - 0.5
      guard column.rounded(.down) == column, column >= 0, column <= Double(width - 1) else { return }
      var row = (Double(v < lastV ? v : lastV) + 0.5) / scale - 0.5
      row = min(max(row, 0), Double(height)).rounded(.up)
      toggles.append(Int(column) * height + Int(row))
    }

    for index in 0..<vertexCount {
      var startX = xs[index]
      var endX = xs[index + 1]
      var startY = ys[index]
      var endY = ys[index + 1]
      let dx = abs(endX - startX)
      let dy = abs(startY - endY)
      // Walk from the lower end, but emit points in the polygon's order.
      let flip = (dx >= dy && startX > endX) || (dx < dy && startY > endY)
      if flip {
        swap(&startX, &endX)
        swap(&startY, &endY)
      }
      if dx >= dy {
        // pycocotools divides 0 by 0 for a repeated vertex; the single point it then produces
        // shares its column with both neighbours, so its row is never used: any value will do.
        let slope = dx == 0 ? 0 : Double(endY - startY) / Double(dx)
        for step in 0...dx {
          let t = flip ? dx - step : step
          visit(t + startX, Int(Double(startY) + slope * Double(t) + 0.5))
        }
      } else {
        let slope = Double(endX - startX) / Double(dy)
        for step in 0...dy {
          let t = flip ? dy - step : step
          visit(Int(Double(startX) + slope * Double(t) + 0.5), t + startY)
        }
      }
    }

    toggles.append(size.partialValue)
    toggles.sort()
    // Differences between toggles are the runs; two toggles at one position cancel out.
    var counts: [UInt32] = []
    counts.reserveCapacity(toggles.count)
    var last = 0
    var pendingMerge = false
    for position in toggles {
      let run = position - last
      last = position
      if counts.isEmpty {
        counts.append(UInt32(run))
      } else if pendingMerge {
        counts[counts.count - 1] += UInt32(run)
        pendingMerge = false
      } else if run > 0 {
        counts.append(UInt32(run))
      } else {
        pendingMerge = true
      }
    }
    return RLE(unchecked: height, width, counts)
  }
}
