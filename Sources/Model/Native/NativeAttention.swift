/// Multi-head self-attention weights: a fused `qkv` projection (rows `[0, d)` are the queries,
/// `[d, 2d)` the keys, `[2d, 3d)` the values; head `h` owns columns `[h*hd, (h+1)*hd)` of each)
/// and an output projection.
struct NativeAttention: Sendable {
  let dim: Int
  let heads: Int
  let qkv: NativeLinear
  let proj: NativeLinear

  init(_ store: NativeTensorStore, _ name: String, dim: Int, heads: Int) throws(NativeModelError) {
    self.dim = dim
    self.heads = heads
    qkv = try NativeLinear(store, "\(name).qkv", in: dim, out: 3 * dim)
    proj = try NativeLinear(store, "\(name).proj", in: dim, out: dim)
  }

  var headDim: Int { dim / heads }
  var scale: Float { 1 / Float(headDim).squareRoot() }

  /// Attention over one whole sequence of `rows` tokens (no cache): `residual += attn(x)`.
  /// `causal` lets row `t` see rows `0...t` only. The keys and values are copied to `keys` and
  /// `values` (`[rows, dim]` each) when given, which is how the image prefix cache is made.
  func forward(
    _ x: UnsafePointer<Float>, rows: Int, causal: Bool, addingTo residual: UnsafeMutablePointer<Float>,
    keys: UnsafeMutablePointer<Float>? = nil, values: UnsafeMutablePointer<Float>? = nil,
    profile: NativeProfile?
  ) {
    let width = 3 * dim
    let projected = NativeBuffer(rows * width)
    qkv.forward(x, rows: rows, into: projected.base, profile: profile)
    let q = projected.base
    let k = projected.base + dim
    let v = projected.base + 2 * dim
    for r in 0..<rows {
      keys.map { ($0 + r * dim).update(from: k + r * width, count: dim) }
      values.map { ($0 + r * dim).update(from: v + r * width, count: dim) }
    }
    let scores = NativeBuffer(rows * rows)
    let out = NativeBuffer(rows * dim)
    for h in 0..<heads {
      let column = h * headDim
      NativeBLAS.gemm(
        transB: true, m: rows, n: rows, k: headDim, alpha: scale, a: q + column, lda: width,
        b: k + column, ldb: width, beta: 0, c: scores.base, ldc: rows, profile: profile)
      for r in 0..<rows {
        let row = scores.base + r * rows
        let visible = causal ? r + 1 : rows
        NativeKernels.softmax(row, count: visible)
        (row + visible).update(repeating: 0, count: rows - visible)
      }
      NativeBLAS.gemm(
        m: rows, n: headDim, k: rows, a: scores.base, lda: rows, b: v + column, ldb: width,
        beta: 0, c: out.base + column, ldc: dim, profile: profile)
    }
    proj.forward(out.base, rows: rows, into: residual, accumulate: true, profile: profile)
  }
}
