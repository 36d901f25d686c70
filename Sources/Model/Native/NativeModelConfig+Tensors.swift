extension NativeModelConfig {
  /// Every parameter tensor of the model with its shape, the single source of truth for
  /// initialisation, loading and the table in `README.md`. Linear weights are stored
  /// `[out, in]` (PyTorch's `nn.Linear` layout).
  public var tensorShapes: [(name: String, shape: [Int])] {
    var shapes: [(name: String, shape: [Int])] = []
    func block(_ prefix: String, _ dim: Int) {
      let hidden = dim * mlpRatio
      shapes += [
        ("\(prefix).norm1.weight", [dim]), ("\(prefix).norm1.bias", [dim]),
        ("\(prefix).attn.qkv.weight", [3 * dim, dim]), ("\(prefix).attn.qkv.bias", [3 * dim]),
        ("\(prefix).attn.proj.weight", [dim, dim]), ("\(prefix).attn.proj.bias", [dim]),
        ("\(prefix).norm2.weight", [dim]), ("\(prefix).norm2.bias", [dim]),
        ("\(prefix).mlp.fc1.weight", [hidden, dim]), ("\(prefix).mlp.fc1.bias", [hidden]),
        ("\(prefix).mlp.fc2.weight", [dim, hidden]), ("\(prefix).mlp.fc2.bias", [dim]),
      ]
    }
    shapes += [
      ("vision.patch_embed.weight", [visionDim, patchInputSize]),
      ("vision.patch_embed.bias", [visionDim]),
      ("vision.pos_embed", [patchCount, visionDim]),
    ]
    for layer in 0..<visionLayers { block("vision.blocks.\(layer)", visionDim) }
    shapes += [
      ("vision.norm.weight", [visionDim]), ("vision.norm.bias", [visionDim]),
      ("connector.proj.weight", [lmDim, 4 * visionDim]), ("connector.proj.bias", [lmDim]),
      ("lm.tok_embed", [vocabularySize, lmDim]),
      ("lm.pos_embed", [maxPositions, lmDim]),
    ]
    if visualPositions2D {
      shapes += [
        ("lm.visual_row_embed", [visualGridSize, lmDim]), ("lm.visual_col_embed", [visualGridSize, lmDim]),
      ]
    }
    if coordinateRange > 0 {
      shapes += [
        ("lm.coord_row_embed", [coordinateRange, lmDim]), ("lm.coord_col_embed", [coordinateRange, lmDim]),
      ]
    }
    for layer in 0..<lmLayers { block("lm.blocks.\(layer)", lmDim) }
    shapes += [
      ("lm.norm.weight", [lmDim]), ("lm.norm.bias", [lmDim]),
      ("lm.head.weight", [vocabularySize, lmDim]),
    ]
    return shapes
  }
}
