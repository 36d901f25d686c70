import Model

/// Element-wise and row-wise kernels of training on raw float memory (sgemm goes to OpenBLAS
/// through `NativeBLAS.sgemm`).
enum Kernels {
  typealias Vector = SIMD8<Float>

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> Vector { NativeKernels.load(p) }

  @inline(__always)
  static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) { NativeKernels.store(v, p) }

  /// `C = alpha op(A) op(B) + beta C`, row-major; when `k` is 0 the product is empty and C is
  /// only scaled by beta (OpenBLAS is not called for empty products).
  @inline(__always)
  static func gemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
      if beta != 1 {
        for r in 0..<m { for j in 0..<n { c[r * ldc + j] *= beta } }
      }
      return
    }
    NativeBLAS.sgemm(
      transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
      beta: beta, c: c, ldc: ldc)
  }

  /// `e^x` for 8 lanes: the inference kernel's, so training and decoding agree bit for bit.
  @inline(__always)
  static func exp(_ x: Vector) -> Vector { NativeKernels.exp(x) }

  static let geluC: Float = 0.797_884_56
  static let geluA: Float = 0.044_715

  /// `y = gelu(x)` (tanh form, written `x * sigmoid(2u)`), `count` values.
  static func gelu(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
      let v = load(x + i)
      let u = geluC * (v + geluA * v * v * v)
      store(v / (1 + exp(-2 * u)), y + i)
      i += 8
    }
    while i < count {
      var lanes = Vector(repeating: 0)
      lanes[0] = x[i]
      let u = geluC * (lanes + geluA * lanes * lanes * lanes)
      y[i] = (lanes / (1 + exp(-2 * u)))[0]
      i += 1
    }
  }

  /// `dx = dy * gelu'(x)` where `gelu(x) = x s`, `s = sigmoid(2u)`:
  /// `gelu'(x) = s + x s (1 - s) 2 c (1 + 3 a x^2)`.
  static func geluBackward(
    _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    var i = 0
    while i + 8 <= count {
      let v = load(x + i)
      let u = geluC * (v + geluA * v * v * v)
      let s = 1 / (1 + exp(-2 * u))
      let d = s + v * s * (1 - s) * 2 * geluC * (1 + 3 * geluA * v * v)
      store(load(dy + i) * d, dx + i)
      i += 8
    }
    while i < count {
      var v = Vector(repeating: 0)
      v[0] = x[i]
      let u = geluC * (v + geluA * v * v * v)
      let s = 1 / (1 + exp(-2 * u))
      let d = s + v * s * (1 - s) * 2 * geluC * (1 + 3 * geluA * v * v)
      dx[i] = dy[i] * d[0]
      i += 1
    }
  }

  /// In-place softmax of `p[0..<visible]`; `p[visible..<count]` become 0.
  static func softmax(_ p: UnsafeMutablePointer<Float>, visible: Int, count: Int) {
    var m = -Float.infinity
    for i in 0..<visible { m = max(m, p[i]) }
    var total: Float = 0
    var i = 0
    let shift = Vector(repeating: m)
    while i + 8 <= visible {
      let e = exp(load(p + i) - shift)
      store(e, p + i)
      total += e.sum()
      i += 8
    }
    while i < visible {
      var lanes = Vector(repeating: 0)
      lanes[0] = p[i] - m
      let e = exp(lanes)[0]
      p[i] = e
      total += e
      i += 1
    }
    let inverse = 1 / total
    for j in 0..<visible { p[j] *= inverse }
    if count > visible { (p + visible).update(repeating: 0, count: count - visible) }
  }

  /// Softmax backward in place: `d = s * (d - sum(d * s))` over `count` values (masked entries
  /// have `s = 0` and so get 0).
  static func softmaxBackward(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, count: Int) {
    var dot: Float = 0
    for i in 0..<count { dot += s[i] * d[i] }
    for i in 0..<count { d[i] = s[i] * (d[i] - dot) }
  }

  /// `y += alpha x`.
  @inline(__always)
  static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    let a = Vector(repeating: alpha)
    while i + 8 <= count {
      store(load(y + i) + a * load(x + i), y + i)
      i += 8
    }
    while i < count {
      y[i] += alpha * x[i]
      i += 1
    }
  }

  /// `out[j] += sum over rows of x[r, j]` (bias gradients).
  static func addColumnSums(
    _ x: UnsafePointer<Float>, rows: Int, dim: Int, into out: UnsafeMutablePointer<Float>
  ) {
    for r in 0..<rows { axpy(1, x + r * dim, out, count: dim) }
  }

  /// `y[r] += v` for each row.
  static func addRow(_ v: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, rows: Int, dim: Int) {
    for r in 0..<rows { axpy(1, v, y + r * dim, count: dim) }
  }
}
