extension RLE {
  /// The union of masks of one size (pycocotools `merge`), as `annToRLE` merges the polygons of
  /// one object. The counts come out exactly as pycocotools' `rleMerge` writes them.
  public static func union(_ masks: [RLE]) throws(ReferError) -> RLE {
    guard let first = masks.first else { throw ReferError(.badMask, "union of no masks") }
    var counts = first.counts
    for mask in masks.dropFirst() {
      guard mask.height == first.height, mask.width == first.width else {
        throw ReferError(
          .sizeMismatch,
          "union of a \(first.height) x \(first.width) mask and a \(mask.height) x \(mask.width) mask")
      }
      counts = merge(counts, mask.counts, intersect: false)
    }
    return RLE(unchecked: first.height, first.width, counts)
  }

  /// The intersection of masks of one size (pycocotools `merge(..., intersect=True)`).
  public static func intersection(_ masks: [RLE]) throws(ReferError) -> RLE {
    guard let first = masks.first else { throw ReferError(.badMask, "intersection of no masks") }
    var counts = first.counts
    for mask in masks.dropFirst() {
      guard mask.height == first.height, mask.width == first.width else {
        throw ReferError(
          .sizeMismatch,
          "intersection of a \(first.height) x \(first.width) mask and a \(mask.height) x \(mask.width) mask")
      }
      counts = merge(counts, mask.counts, intersect: true)
    }
    return RLE(unchecked: first.height, first.width, counts)
  }

  /// Walks both run lists at once, cutting a new run wherever the combined value changes.
  static func merge(_ a: [UInt32], _ b: [UInt32], intersect: Bool) -> [UInt32] {
    guard let firstA = a.first, let firstB = b.first else { return a.isEmpty ? b : a }
    var output: [UInt32] = []
    var remainingA = Int(firstA)
    var remainingB = Int(firstB)
    var nextA = 1
    var nextB = 1
    var valueA = false
    var valueB = false
    var value = false
    var run = 0
    var left = 1
    while left > 0 {
      let step = min(remainingA, remainingB)
      run += step
      remainingA -= step
      if remainingA == 0, nextA < a.count {
        remainingA = Int(a[nextA])
        nextA += 1
        valueA.toggle()
      }
      remainingB -= step
      if remainingB == 0, nextB < b.count {
        remainingB = Int(b[nextB])
        nextB += 1
        valueB.toggle()
      }
      left = remainingA + remainingB
      let previous = value
      value = intersect ? valueA && valueB : valueA || valueB
      if value != previous || left == 0 {
        output.append(UInt32(run))
        run = 0
      }
    }
    return output
  }
}
