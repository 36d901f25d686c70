/// The filter weights of one axis of a bicubic resize, computed exactly as Pillow's
/// `precompute_coeffs` and `normalize_coeffs_8bpc` (`src/libImaging/Resample.c`) do: Pillow's
/// bicubic kernel (a = -0.5, support 2, widened by the scale when downsampling), normalised to a
/// sum of 1 in double precision, then rounded to fixed point with 22 fractional bits.
struct BicubicAxis: Sendable {
  static let precisionBits = 22

  let inSize: Int
  let outSize: Int
  /// Pillow's `ksize`: room for the widest window.
  let kernelSize: Int
  /// Per output: the first input index of its window.
  let first: [Int]
  /// Per output: the number of inputs in its window (`<= kernelSize`).
  let count: [Int]
  /// Per output, `kernelSize` fixed-point weights (zero past `count`).
  let weights: [Int32]

  init(inSize: Int, outSize: Int) {
    precondition(inSize > 0 && outSize > 0, "empty axis")
    self.inSize = inSize
    self.outSize = outSize
    // Pillow passes the box edges as C floats and subtracts them in float.
    let scale = Double(Float(inSize) - Float(0)) / Double(outSize)
    let filterScale = max(scale, 1.0)
    let support = 2.0 * filterScale
    let kernelSize = Int(support.rounded(.up)) * 2 + 1
    self.kernelSize = kernelSize
    var first = [Int](repeating: 0, count: outSize)
    var count = [Int](repeating: 0, count: outSize)
    var weights = [Int32](repeating: 0, count: outSize * kernelSize)
    var k = [Double](repeating: 0, count: kernelSize)
    let ss = 1.0 / filterScale
    for xx in 0..<outSize {
      let center = 0.0 + (Double(xx) + 0.5) * scale
      // `(int)` truncates toward zero, as Swift's `Int(_:)` does.
      let xmin = max(Int(center - support + 0.5), 0)
      let xmax = min(Int(center + support + 0.5), inSize) - xmin
      var ww = 0.0
      for x in 0..<xmax {
        let w = Self.bicubic((Double(x + xmin) - center + 0.5) * ss)
        k[x] = w
        ww += w
      }
      for x in 0..<kernelSize {
        var v = x < xmax ? k[x] : 0
        if x < xmax && ww != 0.0 {
          v /= ww
        }
        let scaled = v * Double(1 << Self.precisionBits)
        weights[xx * kernelSize + x] = Int32(v < 0 ? -0.5 + scaled : 0.5 + scaled)
      }
      first[xx] = xmin
      count[xx] = xmax
    }
    self.first = first
    self.count = count
    self.weights = weights
  }

  /// Pillow's `bicubic_filter` with a = -0.5, term for term (no fused multiply-adds).
  static func bicubic(_ value: Double) -> Double {
    let a = -0.5
    let x = value < 0.0 ? -value : value
    if x < 1.0 {
      return ((a + 2.0) * x - (a + 3.0)) * x * x + 1
    }
    if x < 2.0 {
      return (((x - 5) * x + 8) * x - 4) * a
    }
    return 0.0
  }

  /// Pillow's `clip8`: the fixed-point sum (rounding bias included) to 0...255.
  @inline(__always)
  static func clip8(_ sum: Int32) -> UInt8 {
    UInt8(clamping: sum >> Int32(precisionBits))
  }

  /// The rounding bias Pillow starts every sum with.
  static let bias = Int32(1) << Int32(precisionBits - 1)
}
