/// Multi-head self-attention over a fused `qkv` projection (`[rows, 3*dim]`: queries, keys,
/// values; head `h` owns columns `[h*hd, (h+1)*hd)` of each), laid out as `AttentionShape`.
struct AttentionLayer: Sendable {
  let dim: Int
  let heads: Int

  var headDim: Int { dim / heads }
  var scale: Float { 1 / Float(headDim).squareRoot() }

  /// `out[rows, dim]` = attention of `qkv`; `probs` receives `heads * shape.probabilitiesPerHead`.
  func forward(
    _ qkv: UnsafePointer<Float>, shape: AttentionShape, into out: UnsafeMutablePointer<Float>,
    probs: UnsafeMutablePointer<Float>
  ) {
    let width = 3 * dim
    let hd = headDim
    let (sh, g, m, w) = (shape.shared, shape.groups, shape.suffix, shape.suffixWidth)
    for h in 0..<heads {
      let q = qkv + h * hd
      let k = qkv + dim + h * hd
      let v = qkv + 2 * dim + h * hd
      let o = out + h * hd
      let s0 = probs + h * shape.probabilitiesPerHead
      let s1 = s0 + sh * sh
      Kernels.gemm(
        transB: true, m: sh, n: sh, k: hd, alpha: scale, a: q, lda: width, b: k, ldb: width, beta: 0,
        c: s0, ldc: sh)
      for r in 0..<sh { Kernels.softmax(s0 + r * sh, visible: shape.causal ? r + 1 : sh, count: sh) }
      Kernels.gemm(m: sh, n: hd, k: sh, a: s0, lda: sh, b: v, ldb: width, beta: 0, c: o, ldc: dim)
      guard g > 0, m > 0 else { continue }
      let qs = q + sh * width
      Kernels.gemm(
        transB: true, m: g * m, n: sh, k: hd, alpha: scale, a: qs, lda: width, b: k, ldb: width,
        beta: 0, c: s1, ldc: w)
      for j in 0..<g {
        let row = sh + j * m
        Kernels.gemm(
          transB: true, m: m, n: m, k: hd, alpha: scale, a: q + row * width, lda: width,
          b: k + row * width, ldb: width, beta: 0, c: s1 + j * m * w + sh, ldc: w)
      }
      for r in 0..<(g * m) { Kernels.softmax(s1 + r * w, visible: sh + r % m + 1, count: w) }
      Kernels.gemm(
        m: g * m, n: hd, k: sh, a: s1, lda: w, b: v, ldb: width, beta: 0, c: o + sh * dim, ldc: dim)
      for j in 0..<g {
        let row = sh + j * m
        Kernels.gemm(
          m: m, n: hd, k: m, a: s1 + j * m * w + sh, lda: w, b: v + row * width, ldb: width, beta: 1,
          c: o + row * dim, ldc: dim)
      }
    }
  }

  /// `dqkv[rows, 3*dim]` (overwritten) from `dout[rows, dim]`; `scratch` holds one head's
  /// probabilities (`shape.probabilitiesPerHead` floats).
  func backward(
    _ qkv: UnsafePointer<Float>, shape: AttentionShape, probs: UnsafePointer<Float>,
    dout: UnsafePointer<Float>, dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
  ) {
    let width = 3 * dim
    let hd = headDim
    let (sh, g, m, w) = (shape.shared, shape.groups, shape.suffix, shape.suffixWidth)
    dqkv.update(repeating: 0, count: shape.rows * width)
    for h in 0..<heads {
      let q = qkv + h * hd
      let k = qkv + dim + h * hd
      let v = qkv + 2 * dim + h * hd
      let dq = dqkv + h * hd
      let dk = dqkv + dim + h * hd
      let dv = dqkv + 2 * dim + h * hd
      let d = dout + h * hd
      let s0 = probs + h * shape.probabilitiesPerHead
      let s1 = s0 + sh * sh
      let ds0 = scratch
      let ds1 = scratch + sh * sh
      // Shared rows.
      Kernels.gemm(
        transB: true, m: sh, n: sh, k: hd, a: d, lda: dim, b: v, ldb: width, beta: 0, c: ds0, ldc: sh)
      Kernels.gemm(
        transA: true, m: sh, n: hd, k: sh, a: s0, lda: sh, b: d, ldb: dim, beta: 1, c: dv, ldc: width)
      for r in 0..<sh { Kernels.softmaxBackward(s0 + r * sh, ds0 + r * sh, count: sh) }
      Kernels.gemm(
        m: sh, n: hd, k: sh, alpha: scale, a: ds0, lda: sh, b: k, ldb: width, beta: 1, c: dq, ldc: width)
      Kernels.gemm(
        transA: true, m: sh, n: hd, k: sh, alpha: scale, a: ds0, lda: sh, b: q, ldb: width, beta: 1,
        c: dk, ldc: width)
      guard g > 0, m > 0 else { continue }
      // Suffix rows: the shared keys and values in one product for all groups, the group's own
      // keys and values per group.
      let ds = d + sh * dim
      Kernels.gemm(
        transB: true, m: g * m, n: sh, k: hd, a: ds, lda: dim, b: v, ldb: width, beta: 0, c: ds1, ldc: w)
      Kernels.gemm(
        transA: true, m: sh, n: hd, k: g * m, a: s1, lda: w, b: ds, ldb: dim, beta: 1, c: dv, ldc: width)
      for j in 0..<g {
        let row = sh + j * m
        Kernels.gemm(
          transB: true, m: m, n: m, k: hd, a: d + row * dim, lda: dim, b: v + row * width, ldb: width,
          beta: 0, c: ds1 + j * m * w + sh, ldc: w)
        Kernels.gemm(
          transA: true, m: m, n: hd, k: m, a: s1 + j * m * w + sh, lda: w, b: d + row * dim, ldb: dim,
          beta: 1, c: dv + row * width, ldc: width)
      }
      for r in 0..<(g * m) { Kernels.softmaxBackward(s1 + r * w, ds1 + r * w, count: w) }
      let qs = q + sh * width
      Kernels.gemm(
        m: g * m, n: hd, k: sh, alpha: scale, a: ds1, lda: w, b: k, ldb: width, beta: 1,
        c: dq + sh * width, ldc: width)
      Kernels.gemm(
        transA: true, m: sh, n: hd, k: g * m, alpha: scale, a: ds1, lda: w, b: qs, ldb: width, beta: 1,
        c: dk, ldc: width)
      for j in 0..<g {
        let row = sh + j * m
        let dsj = ds1 + j * m * w + sh
        Kernels.gemm(
          m: m, n: hd, k: m, alpha: scale, a: dsj, lda: w, b: k + row * width, ldb: width, beta: 1,
          c: dq + row * width, ldc: width)
        Kernels.gemm(
          transA: true, m: m, n: hd, k: m, alpha: scale, a: dsj, lda: w, b: q + row * width,
          ldb: width, beta: 1, c: dk + row * width, ldc: width)
      }
    }
  }
}
