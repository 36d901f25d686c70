/// The causal byte-level language model: token and learned position embeddings, pre-norm blocks,
/// a final LayerNorm and an untied output head.
struct NativeLanguageModel: Sendable {
  let config: NativeModelConfig
  let tokEmbed: NativeTensor
  let posEmbed: NativeTensor
  let blocks: [NativeTransformerBlock]
  let norm: NativeLayerNorm
  let head: NativeLinear
  /// `[visualGridSize, dim]` each, when `visualPositions2D`.
  let visualRowEmbed: NativeTensor?
  let visualColEmbed: NativeTensor?
  /// `[coordinateRange, dim]` each, when `coordinateRange > 0`.
  let coordRowEmbed: NativeTensor?
  let coordColEmbed: NativeTensor?

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
    let side = [config.visualGridSize, dim]
    visualRowEmbed = config.visualPositions2D ? try store.require("lm.visual_row_embed", shape: side) : nil
    visualColEmbed = config.visualPositions2D ? try store.require("lm.visual_col_embed", shape: side) : nil
    let range = [config.coordinateRange, dim]
    coordRowEmbed = config.coordinateRange > 0 ? try store.require("lm.coord_row_embed", shape: range) : nil
    coordColEmbed = config.coordinateRange > 0 ? try store.require("lm.coord_col_embed", shape: range) : nil
  }

  /// The question's coordinate when the model embeds coordinates.
  func coordinate(_ questionTokens: [Int]) -> NativeCoordinate? {
    coordRowEmbed == nil ? nil : NativeCoordinate.parse(questionTokens, range: config.coordinateRange)
  }

  /// `out[i] += coord_row[row] + coord_col[col]` for the `rows` rows of tokens `first..<first+rows`
  /// of a stream whose coordinate embedding starts at `coordinate.start`.
  func addCoordinate(
    _ coordinate: NativeCoordinate?, first: Int, rows: Int, to out: UnsafeMutablePointer<Float>
  ) {
    guard let coordinate, let coordRowEmbed, let coordColEmbed else { return }
    coordRowEmbed.values.withUnsafeBufferPointer { r in
      coordColEmbed.values.withUnsafeBufferPointer { c in
        let from = max(0, coordinate.start - first)
        guard from < rows else { return }
        for i in from..<rows {
          NativeKernels.axpy(1, r.baseAddress! + coordinate.row * dim, out + i * dim, count: dim)
          NativeKernels.axpy(1, c.baseAddress! + coordinate.col * dim, out + i * dim, count: dim)
        }
      }
    }
  }

  /// Adds the row and column embeddings to a frame's visual tokens (row-major merged grid).
  func addVisualPositions(to visual: UnsafeMutablePointer<Float>) {
    guard let visualRowEmbed, let visualColEmbed else { return }
    let side = config.visualGridSize
    visualRowEmbed.values.withUnsafeBufferPointer { r in
      visualColEmbed.values.withUnsafeBufferPointer { c in
        for y in 0..<side {
          for x in 0..<side {
            let token = visual + (y * side + x) * dim
            NativeKernels.axpy(1, r.baseAddress! + y * dim, token, count: dim)
            NativeKernels.axpy(1, c.baseAddress! + x * dim, token, count: dim)
          }
        }
      }
    }
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
