extension NativeVLM {
  /// Weights drawn deterministically from `seed`: GPT-2's scheme, normal(0, `std`) for matrices
  /// and embeddings, `std / sqrt(2 * layers)` for the projections that write into the residual
  /// stream (`attn.proj`, `mlp.fc2`), zero biases, LayerNorm scale 1 and shift 0. Each tensor
  /// has its own stream derived from the seed and its name, so the values do not depend on the
  /// order tensors are made in.
  public static func randomWeights(config: NativeModelConfig, seed: UInt64, std: Float = 0.02)
    -> NativeTensorStore
  {
    var store = NativeTensorStore()
    for (name, shape) in config.tensorShapes {
      let count = shape.reduce(1, *)
      let values: [Float]
      if name.hasSuffix(".bias") {
        values = [Float](repeating: 0, count: count)
      } else if name.hasSuffix("norm.weight") || name.hasSuffix("norm1.weight")
        || name.hasSuffix("norm2.weight")
      {
        values = [Float](repeating: 1, count: count)
      } else {
        var scale = Self.addressingTables.contains(name) ? Self.addressingStd : std
        if name.hasSuffix("attn.proj.weight") || name.hasSuffix("mlp.fc2.weight") {
          let layers = name.hasPrefix("vision.") ? config.visionLayers : config.lmLayers
          scale /= Float(2 * layers).squareRoot()
        }
        var random = NativeRandom(seed: seed ^ NativeRandom.hash(name))
        values = (0..<count).map { _ in random.nextNormal() * scale }
      }
      store[name] = NativeTensor(shape: shape, values: values)
    }
    return store
  }

  /// The coordinate-addressing tables start larger than the other embeddings: at 0.02 the
  /// byte-level LM sits on the mean-colour plateau for thousands of steps (issue 12's probe).
  public static let addressingStd: Float = 0.3
  static let addressingTables: Set<String> = [
    "lm.visual_row_embed", "lm.visual_col_embed", "lm.coord_row_embed", "lm.coord_col_embed",
  ]

  /// A model with `randomWeights(config:seed:std:)`.
  public static func random(config: NativeModelConfig, seed: UInt64, std: Float = 0.02, blasThreads: Int? = 1)
    throws(NativeModelError) -> NativeVLM
  {
    try NativeVLM(
      config: config, weights: randomWeights(config: config, seed: seed, std: std),
      blasThreads: blasThreads)
  }
}

extension NativeVLM {
  /// Weights of `config` that keep every tensor of `weights` with the same name and shape and
  /// draw the others from `seed` (a trained encoder moved into a config with more tensors). At
  /// least the vision encoder must carry over, or it is an error naming `file`.
  public static func adopt(
    _ weights: NativeTensorStore, into config: NativeModelConfig, seed: UInt64, file: String?
  )
    throws(NativeModelError) -> NativeTensorStore
  {
    var store = randomWeights(config: config, seed: seed)
    var kept = 0
    for (name, shape) in config.tensorShapes {
      if let tensor = weights[name], tensor.shape == shape {
        store[name] = tensor
        kept += name.hasPrefix("vision.") ? 1 : 0
      }
    }
    guard kept == config.tensorShapes.filter({ $0.name.hasPrefix("vision.") }).count else {
      throw NativeModelError(
        code: .invalidConfig, file: file, detail: "its vision encoder does not fit the requested architecture"
      )
    }
    return store
  }
}
