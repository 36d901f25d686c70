/// `y = x W^T + b` with `W` stored `[out, in]`.
struct NativeLinear: Sendable {
  let inFeatures: Int
  let outFeatures: Int
  let weight: NativeTensor
  let bias: NativeTensor?

  init(
    _ store: NativeTensorStore, _ name: String, in inFeatures: Int, out outFeatures: Int, bias: Bool = true
  )
    throws(NativeModelError)
  {
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    weight = try store.require("\(name).weight", shape: [outFeatures, inFeatures])
    self.bias = bias ? try store.require("\(name).bias", shape: [outFeatures]) : nil
  }

  /// `y[rows, out] (+)= x[rows, in] W^T + b`; `ldx`/`ldy` are row strides (default: packed).
  func forward(
    _ x: UnsafePointer<Float>, ldx: Int? = nil, rows: Int, into y: UnsafeMutablePointer<Float>,
    ldy: Int? = nil, accumulate: Bool = false, profile: NativeProfile?
  ) {
    let ldy = ldy ?? outFeatures
    weight.values.withUnsafeBufferPointer { w in
      NativeBLAS.gemm(
        transB: true, m: rows, n: outFeatures, k: inFeatures, a: x, lda: ldx ?? inFeatures,
        b: w.baseAddress!, ldb: inFeatures, beta: accumulate ? 1 : 0, c: y, ldc: ldy,
        profile: profile)
    }
    bias?.values.withUnsafeBufferPointer { b in
      NativeKernels.addRow(b.baseAddress!, to: y, rows: rows, dim: outFeatures, ldy: ldy)
    }
  }
}
