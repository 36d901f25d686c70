/// The ViT: a linear patch embedding (a stride-`patchSize` convolution), learned positions, pre-norm
/// blocks with bidirectional attention, a final LayerNorm. No class token.
struct NativeVisionEncoder: Sendable {
  let config: NativeModelConfig
  let patchEmbed: NativeLinear
  let posEmbed: NativeTensor
  let blocks: [NativeTransformerBlock]
  let norm: NativeLayerNorm

  init(_ store: NativeTensorStore, config: NativeModelConfig) throws(NativeModelError) {
    self.config = config
    let dim = config.visionDim
    patchEmbed = try NativeLinear(store, "vision.patch_embed", in: config.patchInputSize, out: dim)
    posEmbed = try store.require("vision.pos_embed", shape: [config.patchCount, dim])
    var blocks: [NativeTransformerBlock] = []
    for layer in 0..<config.visionLayers {
      blocks.append(
        try NativeTransformerBlock(
          store, "vision.blocks.\(layer)", dim: dim, heads: config.visionHeads,
          mlpRatio: config.mlpRatio, epsilon: config.layerNormEpsilon))
    }
    self.blocks = blocks
    norm = try NativeLayerNorm(store, "vision.norm", dim: dim, epsilon: config.layerNormEpsilon)
  }

  /// Patches in row-major grid order, each flattened channel, row, column (the layout of a
  /// PyTorch `Conv2d` weight `[out, 3, p, p]` reshaped to `[out, 3*p*p]`).
  func patchify(_ pixels: UnsafePointer<Float>) -> NativeBuffer {
    let size = config.imageSize
    let p = config.patchSize
    let grid = config.gridSize
    let patches = NativeBuffer(config.patchCount * config.patchInputSize)
    var out = patches.base
    for gy in 0..<grid {
      for gx in 0..<grid {
        for c in 0..<3 {
          for y in 0..<p {
            let source = pixels + c * size * size + (gy * p + y) * size + gx * p
            out.update(from: source, count: p)
            out += p
          }
        }
      }
    }
    return patches
  }

  /// Encodes one image (`3 x imageSize x imageSize`, channel-major) to `[patchCount, visionDim]`.
  func forward(_ pixels: UnsafePointer<Float>, profile: NativeProfile?) -> NativeBuffer {
    let rows = config.patchCount
    let dim = config.visionDim
    let patches = patchify(pixels)
    let x = NativeBuffer(rows * dim)
    patchEmbed.forward(patches.base, rows: rows, into: x.base, profile: profile)
    posEmbed.values.withUnsafeBufferPointer { pos in
      for r in 0..<rows { NativeKernels.axpy(1, pos.baseAddress! + r * dim, x.base + r * dim, count: dim) }
    }
    for block in blocks { block.forward(x.base, rows: rows, causal: false, profile: profile) }
    let out = NativeBuffer(rows * dim)
    norm.forward(x.base, rows: rows, into: out.base)
    return out
  }
}
