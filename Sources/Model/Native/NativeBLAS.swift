internal import CBLAS
import Foundation

/// The model's only door to OpenBLAS.
public enum NativeBLAS {
  /// OpenBLAS's process-wide thread count. `NativeVLM.init` sets 1 by default because workers
  /// parallelise across shards; a single-process run may ask for more.
  public static var threadCount: Int {
    get { Int(pixelprobe_blas_get_threads()) }
    set { pixelprobe_blas_set_threads(Int32(max(1, newValue))) }
  }

  /// OpenBLAS's build description (kernel family, threading), for benchmark reports.
  public static var configuration: String { String(cString: pixelprobe_blas_config()) }

  /// Row-major `C = alpha * op(A) * op(B) + beta * C` with `op(A)` m x k and `op(B)` k x n.
  @inline(__always)
  static func gemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, profile: NativeProfile?
  ) {
    guard m > 0, n > 0, k > 0 else { return }
    let start = profile != nil ? NativeProfile.now() : 0
    pixelprobe_sgemm_rowmajor(
      transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
      a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    if let profile {
      profile.gemmNanoseconds &+= NativeProfile.now() &- start
      profile.gemmCalls &+= 1
      profile.gemmFlops &+= 2 &* UInt64(m) &* UInt64(n) &* UInt64(k)
    }
  }
}

/// Counters a caller may pass into inference to see where the time goes; owned by one call at a
/// time (not shared between threads).
public final class NativeProfile {
  public var gemmNanoseconds: UInt64 = 0
  public var gemmCalls: UInt64 = 0
  public var gemmFlops: UInt64 = 0

  public init() {}

  public func reset() {
    gemmNanoseconds = 0
    gemmCalls = 0
    gemmFlops = 0
  }

  /// Monotonic clock in nanoseconds (a vDSO call, cheap enough to wrap every sgemm).
  @inline(__always)
  public static func now() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
  }
}
