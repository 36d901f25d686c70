/// The causal byte-level language model: token and learned position embeddings, pre-norm blocks,
/// a final LayerNorm and an untied output head.
struct NativeLanguageModel: Sendable {
  let config: NativeModelConfig
  let tokEmbed: NativeTensor
  let posEmbed: NativeTensor
  let blocks: [NativeTransformerBlock]
  let norm: NativeLayerNorm
  let head: NativeLinear

  init(_ store: NativeTensorStore, config: NativeModelConfig) throws(NativeModelError) {
    self.config = config
    let dim = config.lmDim
    tokEmbed = try store.require("lm.tok_embed", shape: [config.vocabularySize, dim])
    posEmbed = try store.require("lm.pos_embed", shape: [config.maxPositions, dim])
    var blocks: [NativeTransformerBlock] = []
    for layer in 0..<config.lmLayers {
      blocks.append(
        try NativeTransformerBlock(
          store, "lm.blocks.\(layer)", dim: dim, heads: config.lmHeads, mlpRatio: config.mlpRatio,
          epsilon: config.layerNormEpsilon))
    }
    self.blocks = blocks
    norm = try NativeLayerNorm(store, "lm.norm", dim: dim, epsilon: config.layerNormEpsilon)
    head = try NativeLinear(store, "lm.head", in: dim, out: config.vocabularySize, bias: false)
  }

  var dim: Int { config.lmDim }

  /// `out[i] = tok_embed[tokens[i]] + pos_embed[positions[i]]`.
  func embed(_ tokens: [Int], positions: [Int], into out: UnsafeMutablePointer<Float>) {
    tokEmbed.values.withUnsafeBufferPointer { tok in
      posEmbed.values.withUnsafeBufferPointer { pos in
        for i in tokens.indices {
          let row = out + i * dim
          row.update(from: tok.baseAddress! + tokens[i] * dim, count: dim)
          NativeKernels.axpy(1, pos.baseAddress! + positions[i] * dim, row, count: dim)
        }
      }
    }
  }

  /// `out[i] += pos_embed[firstPosition + i]` for `rows` rows (for visual tokens).
  func addPositions(from firstPosition: Int, rows: Int, to out: UnsafeMutablePointer<Float>) {
    posEmbed.values.withUnsafeBufferPointer { pos in
      for i in 0..<rows {
        NativeKernels.axpy(1, pos.baseAddress! + (firstPosition + i) * dim, out + i * dim, count: dim)
      }
    }
  }

  /// Next-token logits `[rows, vocabularySize]` from final hidden states `[rows, dim]`.
  func logits(_ hidden: UnsafePointer<Float>, rows: Int, profile: NativeProfile?) -> NativeBuffer {
    let normed = NativeBuffer(rows * dim)
    norm.forward(hidden, rows: rows, into: normed.base)
    let out = NativeBuffer(rows * config.vocabularySize)
    head.forward(normed.base, rows: rows, into: out.base, profile: profile)
    return out
  }
}
