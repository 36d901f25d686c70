/// LayerNorm over the last dimension with learned scale and shift.
struct NativeLayerNorm: Sendable {
  let dim: Int
  let epsilon: Float
  let weight: NativeTensor
  let bias: NativeTensor

  init(_ store: NativeTensorStore, _ name: String, dim: Int, epsilon: Float) throws(NativeModelError) {
    self.dim = dim
    self.epsilon = epsilon
    weight = try store.require("\(name).weight", shape: [dim])
    bias = try store.require("\(name).bias", shape: [dim])
  }

  func forward(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
    weight.values.withUnsafeBufferPointer { w in
      bias.values.withUnsafeBufferPointer { b in
        NativeKernels.layerNorm(
          x, rows: rows, dim: dim, weight: w.baseAddress!, bias: b.baseAddress!,
          epsilon: epsilon, into: y)
      }
    }
  }
}
