/// `fc2(gelu(fc1(x)))`, added to the residual stream.
struct NativeMLP: Sendable {
  let fc1: NativeLinear
  let fc2: NativeLinear

  init(_ store: NativeTensorStore, _ name: String, dim: Int, hidden: Int) throws(NativeModelError) {
    fc1 = try NativeLinear(store, "\(name).fc1", in: dim, out: hidden)
    fc2 = try NativeLinear(store, "\(name).fc2", in: hidden, out: dim)
  }

  /// `residual[rows, dim] += mlp(x[rows, dim])`.
  func forward(
    _ x: UnsafePointer<Float>, rows: Int, addingTo residual: UnsafeMutablePointer<Float>,
    profile: NativeProfile?
  ) {
    let hidden = NativeBuffer(rows * fc1.outFeatures)
    fc1.forward(x, rows: rows, into: hidden.base, profile: profile)
    NativeKernels.geluInPlace(hidden.base, count: hidden.count)
    fc2.forward(hidden.base, rows: rows, into: residual, accumulate: true, profile: profile)
  }
}
