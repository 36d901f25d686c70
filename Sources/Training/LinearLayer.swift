/// `y = x W^T + b`, `W` stored `[out, in]`, optionally plus a LoRA update `scale * (x A^T) B^T`
/// with `A` `[rank, in]` and `B` `[out, rank]`.
struct LinearLayer: Sendable {
  struct LoRA: Sendable {
    let a: Int
    let b: Int
    let rank: Int
    let scale: Float
  }

  let inFeatures: Int
  let outFeatures: Int
  let weight: Int
  let bias: Int?
  let lora: LoRA?
  var trainWeight = true
  var trainBias = true
  var trainLoRA = true

  /// Activations per row the layer keeps for its backward pass (the LoRA hidden `x A^T`).
  var loraWidth: Int { lora?.rank ?? 0 }

  /// `y (+)= layer(x)` for `rows` rows; `u` receives `x A^T` (`rows * rank`) when LoRA is on.
  func forward(
    _ p: ParameterAccess, _ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>,
    accumulate: Bool = false, loraHidden u: UnsafeMutablePointer<Float>?
  ) {
    Kernels.gemm(
      transB: true, m: rows, n: outFeatures, k: inFeatures, a: x, lda: inFeatures, b: p.p(weight),
      ldb: inFeatures, beta: accumulate ? 1 : 0, c: y, ldc: outFeatures)
    if let bias { Kernels.addRow(p.p(bias), to: y, rows: rows, dim: outFeatures) }
    if let lora, let u {
      Kernels.gemm(
        transB: true, m: rows, n: lora.rank, k: inFeatures, a: x, lda: inFeatures, b: p.p(lora.a),
        ldb: inFeatures, beta: 0, c: u, ldc: lora.rank)
      Kernels.gemm(
        transB: true, m: rows, n: outFeatures, k: lora.rank, alpha: lora.scale, a: u, lda: lora.rank,
        b: p.p(lora.b), ldb: lora.rank, beta: 1, c: y, ldc: outFeatures)
    }
  }

  /// Adds the gradients of the trainable tensors and writes (or adds) `dx` when asked.
  /// `scratch` holds `rows * rank` floats for the LoRA hidden gradient.
  func backward(
    _ p: ParameterAccess, _ x: UnsafePointer<Float>, rows: Int, dy: UnsafePointer<Float>,
    loraHidden u: UnsafePointer<Float>?, dx: UnsafeMutablePointer<Float>?, accumulateDX: Bool = false,
    scratch: UnsafeMutablePointer<Float>
  ) {
    if trainWeight {
      Kernels.gemm(
        transA: true, m: outFeatures, n: inFeatures, k: rows, a: dy, lda: outFeatures, b: x,
        ldb: inFeatures, beta: 1, c: p.g(weight), ldc: inFeatures)
    }
    if trainBias, let bias { Kernels.addColumnSums(dy, rows: rows, dim: outFeatures, into: p.g(bias)) }
    if let dx {
      Kernels.gemm(
        m: rows, n: inFeatures, k: outFeatures, a: dy, lda: outFeatures, b: p.p(weight),
        ldb: inFeatures, beta: accumulateDX ? 1 : 0, c: dx, ldc: inFeatures)
    }
    guard let lora, let u, trainLoRA || dx != nil else { return }
    let du = scratch
    Kernels.gemm(
      m: rows, n: lora.rank, k: outFeatures, alpha: lora.scale, a: dy, lda: outFeatures,
      b: p.p(lora.b), ldb: lora.rank, beta: 0, c: du, ldc: lora.rank)
    if trainLoRA {
      Kernels.gemm(
        transA: true, m: outFeatures, n: lora.rank, k: rows, alpha: lora.scale, a: dy,
        lda: outFeatures, b: u, ldb: lora.rank, beta: 1, c: p.g(lora.b), ldc: lora.rank)
      Kernels.gemm(
        transA: true, m: lora.rank, n: inFeatures, k: rows, a: du, lda: lora.rank, b: x,
        ldb: inFeatures, beta: 1, c: p.g(lora.a), ldc: inFeatures)
    }
    if let dx {
      Kernels.gemm(
        m: rows, n: inFeatures, k: lora.rank, a: du, lda: lora.rank, b: p.p(lora.a), ldb: inFeatures,
        beta: 1, c: dx, ldc: inFeatures)
    }
  }
}
