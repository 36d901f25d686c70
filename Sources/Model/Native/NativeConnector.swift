/// MiniGPT-v2's connection module: concatenates each 2x2 group of neighbouring patch features
/// (top-left, top-right, bottom-left, bottom-right) and projects the `4 * visionDim` vector to
/// the language model's width. (MiniGPT-v2 itself concatenates 4 tokens consecutive in sequence
/// order; the 2x2 grouping keeps each visual token a square image region.)
struct NativeConnector: Sendable {
  let config: NativeModelConfig
  let proj: NativeLinear

  init(_ store: NativeTensorStore, config: NativeModelConfig) throws(NativeModelError) {
    self.config = config
    proj = try NativeLinear(store, "connector.proj", in: 4 * config.visionDim, out: config.lmDim)
  }

  /// `[patchCount, visionDim]` → `[visualTokenCount, 4 * visionDim]`, tokens in row-major order
  /// of the merged grid.
  func merge(_ features: UnsafePointer<Float>) -> NativeBuffer {
    let dim = config.visionDim
    let grid = config.gridSize
    let half = grid / 2
    let merged = NativeBuffer(config.visualTokenCount * 4 * dim)
    for my in 0..<half {
      for mx in 0..<half {
        let token = merged.base + (my * half + mx) * 4 * dim
        for (slot, (dy, dx)) in [(0, 0), (0, 1), (1, 0), (1, 1)].enumerated() {
          let patch = (2 * my + dy) * grid + 2 * mx + dx
          (token + slot * dim).update(from: features + patch * dim, count: dim)
        }
      }
    }
    return merged
  }

  /// Visual tokens `[visualTokenCount, lmDim]`, written to `out`.
  func forward(
    _ features: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, profile: NativeProfile?
  ) {
    let merged = merge(features)
    proj.forward(merged.base, rows: config.visualTokenCount, into: out, profile: profile)
  }
}
