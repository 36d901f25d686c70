/// A pre-norm transformer block: `x += attn(norm1(x)); x += mlp(norm2(x))`.
struct NativeTransformerBlock: Sendable {
  let dim: Int
  let norm1: NativeLayerNorm
  let attn: NativeAttention
  let norm2: NativeLayerNorm
  let mlp: NativeMLP

  init(_ store: NativeTensorStore, _ name: String, dim: Int, heads: Int, mlpRatio: Int, epsilon: Float)
    throws(NativeModelError)
  {
    self.dim = dim
    norm1 = try NativeLayerNorm(store, "\(name).norm1", dim: dim, epsilon: epsilon)
    attn = try NativeAttention(store, "\(name).attn", dim: dim, heads: heads)
    norm2 = try NativeLayerNorm(store, "\(name).norm2", dim: dim, epsilon: epsilon)
    mlp = try NativeMLP(store, "\(name).mlp", dim: dim, hidden: dim * mlpRatio)
  }

  /// Runs the block over one whole sequence held in `x` (`[rows, dim]`, updated in place).
  func forward(
    _ x: UnsafeMutablePointer<Float>, rows: Int, causal: Bool,
    keys: UnsafeMutablePointer<Float>? = nil, values: UnsafeMutablePointer<Float>? = nil,
    profile: NativeProfile?
  ) {
    let normed = NativeBuffer(rows * dim)
    norm1.forward(x, rows: rows, into: normed.base)
    attn.forward(
      normed.base, rows: rows, causal: causal, addingTo: x, keys: keys, values: values,
      profile: profile)
    norm2.forward(x, rows: rows, into: normed.base)
    mlp.forward(normed.base, rows: rows, addingTo: x, profile: profile)
  }
}
