/// `fc2(gelu(fc1(x)))`, added to the residual stream.
struct NativeMLP: Sendable {
  let fc1: NativeLinear
  let fc2: NativeLinear

  init(_ store: NativeTensorStore, _ name: String, dim: Int, hidden: Int) throws(NativeModelError) {
    fc1 = try NativeLinear(store, "\(name).fc1", in: dim, out: hidden)
    fc2 = try NativeLinear(store, "\(name).fc2", in: hidden, out: dim)
  }

  /// `residual[rows, dim] += mlp(x[rows, dim])`; `hidden` is scratch of `rows * hiddenWidth`
  /// floats (allocated here when nil).
  func forward(
    _ x: UnsafePointer<Float>, rows: Int, addingTo residual: UnsafeMutablePointer<Float>,
    hidden: UnsafeMutablePointer<Float>? = nil, profile: NativeProfile?
  ) {
    let owned = hidden == nil ? NativeBuffer(rows * fc1.outFeatures, zeroed: false) : nil
    let hidden = hidden ?? owned!.base
    fc1.forward(x, rows: rows, into: hidden, profile: profile)
    NativeKernels.geluInPlace(hidden, count: rows * fc1.outFeatures)
    fc2.forward(hidden, rows: rows, into: residual, accumulate: true, profile: profile)
  }
}
