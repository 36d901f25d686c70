/// Element-wise and row-wise kernels on raw float memory. Every transcendental goes through one
/// 8-lane `exp`, so vector bodies and scalar tails compute identical values.
/// `load`, `store` and `exp` are public and inlinable: the trainer (module Training) computes
/// with the very same kernels.
public enum NativeKernels {
  public typealias Vector = SIMD8<Float>

  @inlinable @inline(__always)
  public static func load(_ p: UnsafePointer<Float>) -> Vector {
    UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
  }

  @inlinable @inline(__always)
  public static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
  }

  /// The first `count` (< 8) values at `p`, the rest `fill`.
  @inline(__always)
  static func loadPartial(_ p: UnsafePointer<Float>, _ count: Int, fill: Float) -> Vector {
    var v = Vector(repeating: fill)
    for i in 0..<count { v[i] = p[i] }
    return v
  }

  /// Lane-wise maximum (`pointwiseMax` is not inlined for SIMD8 and runs lane by lane).
  @inline(__always)
  static func maximum(_ a: Vector, _ b: Vector) -> Vector { a.replacing(with: b, where: b .> a) }

  /// The largest lane.
  @inline(__always)
  static func horizontalMaximum(_ v: Vector) -> Float {
    let four = v.lowHalf.replacing(with: v.highHalf, where: v.highHalf .> v.lowHalf)
    return max(max(four[0], four[1]), max(four[2], four[3]))
  }

  /// `e^x`, Cephes-style: `x = n ln2 + r` with `n` rounded to nearest through the 1.5 * 2^23
  /// trick (which also yields `n`'s integer bits), a degree-6 polynomial in `r` (relative error
  /// ~2e-7), and `2^n` built in the exponent field. Inputs are clamped to [-87.3, 88.3].
  @inlinable @inline(__always)
  public static func exp(_ x: Vector) -> Vector {
    let high = Vector(repeating: 88.3)
    let low = Vector(repeating: -87.3)
    var x = x.replacing(with: high, where: x .> high)
    x = x.replacing(with: low, where: x .< low)
    let magic = Vector(repeating: 12_582_912)
    let shifted = x * 1.442_695_04 + magic
    let n = shifted - magic
    let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p = Vector(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_1e-1
    p = p * r * r + r + 1
    let bits = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    return p * unsafeBitCast(bits, to: Vector.self)
  }

  /// GELU, tanh form: `0.5 x (1 + tanh(u)) = x * sigmoid(2u)`, `u = sqrt(2/pi) (x + 0.044715 x^3)`.
  @inline(__always)
  static func gelu(_ x: Vector) -> Vector {
    let u = 0.797_884_56 * (x + 0.044_715 * x * x * x)
    return x / (1 + exp(-2 * u))
  }

  static func geluInPlace(_ p: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
      store(gelu(load(p + i)), p + i)
      i += 8
    }
    if i < count {
      let v = gelu(loadPartial(p + i, count - i, fill: 0))
      for j in 0..<(count - i) { p[i + j] = v[j] }
    }
  }

  /// Largest of `count` values (count > 0).
  @inline(__always)
  static func maximum(_ p: UnsafePointer<Float>, count: Int) -> Float {
    var m = Vector(repeating: -.infinity)
    var i = 0
    while i + 8 <= count {
      m = maximum(m, load(p + i))
      i += 8
    }
    var best = horizontalMaximum(m)
    while i < count {
      best = max(best, p[i])
      i += 1
    }
    return best
  }

  /// Replaces `p[i]` by `e^(p[i] - shift)` and returns their sum.
  @inline(__always)
  static func expShifted(_ p: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
    var sum = Vector()
    var i = 0
    while i + 8 <= count {
      let e = exp(load(p + i) - shift)
      store(e, p + i)
      sum += e
      i += 8
    }
    var total = sum.sum()
    if i < count {
      let e = exp(loadPartial(p + i, count - i, fill: shift) - shift)
      for j in 0..<(count - i) {
        p[i + j] = e[j]
        total += e[j]
      }
    }
    return total
  }

  @inline(__always)
  static func scale(_ p: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
    var i = 0
    while i + 8 <= count {
      store(load(p + i) * factor, p + i)
      i += 8
    }
    while i < count {
      p[i] *= factor
      i += 1
    }
  }

  /// In-place softmax of one row.
  static func softmax(_ p: UnsafeMutablePointer<Float>, count: Int) {
    let m = maximum(p, count: count)
    let total = expShifted(p, count: count, shift: m)
    scale(p, count: count, by: 1 / total)
  }

  /// `y[r] = (x[r] - mean) / sqrt(var + eps) * weight + bias` for each of `rows` rows.
  static func layerNorm(
    _ x: UnsafePointer<Float>, rows: Int, dim: Int, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>, epsilon: Float, into y: UnsafeMutablePointer<Float>
  ) {
    let inverseDim = 1 / Float(dim)
    for r in 0..<rows {
      let xr = x + r * dim
      let yr = y + r * dim
      var acc = Vector()
      var i = 0
      while i + 8 <= dim {
        acc += load(xr + i)
        i += 8
      }
      var sum = acc.sum()
      for j in i..<dim { sum += xr[j] }
      let mean = sum * inverseDim
      acc = Vector()
      i = 0
      while i + 8 <= dim {
        let d = load(xr + i) - mean
        acc += d * d
        i += 8
      }
      var squares = acc.sum()
      for j in i..<dim { squares += (xr[j] - mean) * (xr[j] - mean) }
      let rstd = 1 / (squares * inverseDim + epsilon).squareRoot()
      i = 0
      while i + 8 <= dim {
        store((load(xr + i) - mean) * rstd * load(weight + i) + load(bias + i), yr + i)
        i += 8
      }
      for j in i..<dim { yr[j] = (xr[j] - mean) * rstd * weight[j] + bias[j] }
    }
  }

  /// `y[r] += v` for each of `rows` rows of width `dim` (stride `ldy`).
  static func addRow(
    _ v: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, rows: Int, dim: Int, ldy: Int
  ) {
    for r in 0..<rows {
      let yr = y + r * ldy
      var i = 0
      while i + 8 <= dim {
        store(load(yr + i) + load(v + i), yr + i)
        i += 8
      }
      while i < dim {
        yr[i] += v[i]
        i += 1
      }
    }
  }

  /// `sum_i a[i] * b[i]`.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var acc = Vector()
    var i = 0
    while i + 8 <= count {
      acc += load(a + i) * load(b + i)
      i += 8
    }
    var total = acc.sum()
    while i < count {
      total += a[i] * b[i]
      i += 1
    }
    return total
  }

  /// `y += alpha * x`.
  @inline(__always)
  static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
      store(load(y + i) + alpha * load(x + i), y + i)
      i += 8
    }
    while i < count {
      y[i] += alpha * x[i]
      i += 1
    }
  }

  /// Index of the largest of `p[range]`, the lowest index on ties.
  static func argmax(_ p: UnsafePointer<Float>, in range: ClosedRange<Int>) -> Int {
    var best = range.lowerBound
    for i in range where p[i] > p[best] { best = i }
    return best
  }
}
