/// Everything a bicubic resize from one size to another needs besides the pixels: Pillow's
/// fixed-point weights for both axes, and the same weights laid out for the fast
/// single-precision kernels, with the error bounds that tell when those are exact.
///
/// The fast kernels compute Pillow's integer sums `2^21 + sum(pixel * weight)` in `Float`. The
/// pixels and weights are integers below 2^24, so only the products and additions round; their
/// total error is below `(taps + 8) * 2^-24 * 255 * sum(|weight|)`. Pillow's result is
/// `floor(sum / 2^22)`, so wherever the approximate quotient lies farther than that bound from an
/// integer its floor is Pillow's; the few other values are recomputed in integers.
///
/// The kernels work on four image rows at once, one per SIMD lane ("row quads"), so that one
/// weight multiplies a whole vector and no lane is wasted.
struct BicubicPlan: Sendable {
  let sourceWidth: Int
  let sourceHeight: Int
  let width: Int
  let height: Int
  let horizontal: BicubicAxis
  let vertical: BicubicAxis
  let needsHorizontal: Bool
  let needsVertical: Bool
  /// The source rows the vertical pass reads: `firstRow..<lastRow` (Pillow's `ybox`).
  let firstRow: Int
  let lastRow: Int
  /// `ceil((lastRow - firstRow) / 4)`: the row quads of the intermediate image.
  let quads: Int

  /// Horizontal pass: output column `x` multiplies `horizontal.count[x]` source pixels from
  /// `horizontal.first[x]` on by `horizontalWeights[x * horizontalStride...]` (each weight in all
  /// 4 lanes).
  let horizontalStride: Int
  let horizontalWeights: [SIMD4<Float>]
  let horizontalTolerance: [Float]

  /// Vertical pass: output row `y` multiplies `verticalQuadCount[y]` row quads of the
  /// intermediate image from `verticalQuadStart[y]` on by `verticalWeights[y * verticalStride...]`
  /// (lane i of quad q weighs intermediate row 4q + i; zero outside the window).
  let verticalQuadStart: [Int]
  let verticalQuadCount: [Int]
  let verticalStride: Int
  let verticalWeights: [SIMD4<Float>]
  let verticalTolerance: [Float]

  /// `minimumTolerance` raises every tolerance (above 0.5 it sends every value to the integer path;
  /// for tests).
  init(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int, minimumTolerance: Float = 0) {
    self.sourceWidth = sourceWidth
    self.sourceHeight = sourceHeight
    self.width = width
    self.height = height
    horizontal = BicubicAxis(inSize: sourceWidth, outSize: width)
    vertical = BicubicAxis(inSize: sourceHeight, outSize: height)
    needsHorizontal = width != sourceWidth
    needsVertical = height != sourceHeight
    firstRow = vertical.first[0]
    lastRow = vertical.first[height - 1] + vertical.count[height - 1]
    quads = (lastRow - firstRow + 3) / 4

    horizontalStride = horizontal.kernelSize
    var horizontalWeights = [SIMD4<Float>](repeating: .zero, count: width * horizontalStride)
    var horizontalTolerance = [Float](repeating: 0, count: width)
    for x in 0..<width {
      var absoluteSum = 0.0
      for j in 0..<horizontal.count[x] {
        let weight = horizontal.weights[x * horizontal.kernelSize + j]
        absoluteSum += Double(weight.magnitude)
        horizontalWeights[x * horizontalStride + j] = SIMD4(repeating: Float(weight))
      }
      horizontalTolerance[x] = max(
        Self.tolerance(taps: horizontal.count[x], absoluteWeightSum: absoluteSum), minimumTolerance)
    }
    self.horizontalWeights = horizontalWeights
    self.horizontalTolerance = horizontalTolerance

    verticalStride = vertical.kernelSize / 4 + 2
    var verticalQuadStart = [Int](repeating: 0, count: height)
    var verticalQuadCount = [Int](repeating: 0, count: height)
    var verticalWeights = [SIMD4<Float>](repeating: .zero, count: height * verticalStride)
    var verticalTolerance = [Float](repeating: 0, count: height)
    for y in 0..<height {
      let top = vertical.first[y] - firstRow
      let count = vertical.count[y]
      let start = top / 4
      verticalQuadStart[y] = start
      verticalQuadCount[y] = count == 0 ? 0 : (top + count - 1) / 4 - start + 1
      var absoluteSum = 0.0
      for j in 0..<count {
        let weight = vertical.weights[y * vertical.kernelSize + j]
        absoluteSum += Double(weight.magnitude)
        let row = top + j
        verticalWeights[y * verticalStride + row / 4 - start][row % 4] = Float(weight)
      }
      verticalTolerance[y] = max(
        Self.tolerance(taps: count, absoluteWeightSum: absoluteSum), minimumTolerance)
    }
    self.verticalQuadStart = verticalQuadStart
    self.verticalQuadCount = verticalQuadCount
    self.verticalWeights = verticalWeights
    self.verticalTolerance = verticalTolerance
  }

  /// How far from Pillow's rounding boundary (an odd multiple of 2^21 in the integer sum, a
  /// half-integer after scaling by 2^-22) an approximate scaled sum must be to be trusted: the
  /// bound on its single-precision error, with a 2x margin and a little more.
  static func tolerance(taps: Int, absoluteWeightSum: Double) -> Float {
    let sumError = 2.0 * Double(taps + 8) * 0x1p-24 * 255 * absoluteWeightSum
    return Float(sumError * 0x1p-22 + 0x1p-12)
  }
}
