extension NativeBLAS {
  /// Row-major `C = alpha * op(A) * op(B) + beta * C` (`op(A)` m x k, `op(B)` k x n), the one
  /// OpenBLAS entry point the Training module needs; only this module imports CBLAS.
  @inline(__always)
  public static func sgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    gemm(
      transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
      beta: beta, c: c, ldc: ldc, profile: nil)
  }
}
