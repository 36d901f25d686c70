public import Model

/// The native model's architecture with backward passes: the same tensors (same names, same
/// math as `NativeVLM`), plus optional LoRA adapters, over flat parameter and gradient buffers.
/// Immutable; every pass takes its own `ModelTape`, so threads may run passes at once.
public struct TrainableVLM: Sendable {
  public let config: NativeModelConfig
  public let lora: LoRAConfig?
  public let parts: TrainableParts
  public let layout: TensorLayout

  let patchEmbed: LinearLayer
  let visionPos: Int
  let visionBlocks: [TransformerBlockLayer]
  let visionNorm: LayerNormLayer
  let connector: LinearLayer
  let tokEmbed: Int
  let lmPos: Int
  let lmBlocks: [TransformerBlockLayer]
  let lmNorm: LayerNormLayer
  let head: LinearLayer
  /// Offsets of the coordinate-addressing tables, when the config has them.
  let visualRowEmbed: Int?
  let visualColEmbed: Int?
  let coordRowEmbed: Int?
  let coordColEmbed: Int?

  public init(config: NativeModelConfig, lora: LoRAConfig? = nil, parts: TrainableParts = .all) {
    self.config = config
    self.lora = lora
    self.parts = parts
    var shapes = config.tensorShapes
    if let lora {
      for layer in 0..<config.lmLayers {
        for target in lora.targets {
          let (inF, outF) = Self.linearShape(target, dim: config.lmDim, ratio: config.mlpRatio)
          let base = "lm.blocks.\(layer).\(target)"
          shapes.append(("\(base).lora_a", [lora.rank, inF]))
          shapes.append(("\(base).lora_b", [outF, lora.rank]))
        }
      }
    }
    let layout = TensorLayout(shapes)
    self.layout = layout
    let trainVision = parts.contains(.vision)
    let trainLM = parts.contains(.lm)

    func linear(_ name: String, in inF: Int, out outF: Int, bias: Bool = true, train: Bool) -> LinearLayer {
      var adapter: LinearLayer.LoRA?
      if let lora, let a = layout.slot("\(name).lora_a"), let b = layout.slot("\(name).lora_b") {
        adapter = .init(a: a.offset, b: b.offset, rank: lora.rank, scale: lora.scale)
      }
      var layer = LinearLayer(
        inFeatures: inF, outFeatures: outF, weight: layout.offset("\(name).weight"),
        bias: bias ? layout.offset("\(name).bias") : nil, lora: adapter)
      // With an adapter, the base weight and bias stay frozen and only A and B learn.
      layer.trainWeight = train && adapter == nil
      layer.trainBias = train && adapter == nil
      layer.trainLoRA = train && adapter != nil
      return layer
    }
    func norm(_ name: String, dim: Int, train: Bool) -> LayerNormLayer {
      LayerNormLayer(
        dim: dim, epsilon: config.layerNormEpsilon, weight: layout.offset("\(name).weight"),
        bias: layout.offset("\(name).bias"), train: train)
    }
    func block(_ name: String, dim: Int, heads: Int, train: Bool) -> TransformerBlockLayer {
      let hidden = dim * config.mlpRatio
      return TransformerBlockLayer(
        dim: dim, hidden: hidden, norm1: norm("\(name).norm1", dim: dim, train: train),
        qkv: linear("\(name).attn.qkv", in: dim, out: 3 * dim, train: train),
        attention: AttentionLayer(dim: dim, heads: heads),
        proj: linear("\(name).attn.proj", in: dim, out: dim, train: train),
        norm2: norm("\(name).norm2", dim: dim, train: train),
        fc1: linear("\(name).mlp.fc1", in: dim, out: hidden, train: train),
        fc2: linear("\(name).mlp.fc2", in: hidden, out: dim, train: train))
    }
    patchEmbed = linear(
      "vision.patch_embed", in: config.patchInputSize, out: config.visionDim, train: trainVision)
    visionPos = layout.offset("vision.pos_embed")
    visionBlocks = (0..<config.visionLayers).map {
      block("vision.blocks.\($0)", dim: config.visionDim, heads: config.visionHeads, train: trainVision)
    }
    visionNorm = norm("vision.norm", dim: config.visionDim, train: trainVision)
    connector = linear(
      "connector.proj", in: 4 * config.visionDim, out: config.lmDim,
      train: parts.contains(.connector))
    tokEmbed = layout.offset("lm.tok_embed")
    lmPos = layout.offset("lm.pos_embed")
    lmBlocks = (0..<config.lmLayers).map {
      block("lm.blocks.\($0)", dim: config.lmDim, heads: config.lmHeads, train: trainLM)
    }
    lmNorm = norm("lm.norm", dim: config.lmDim, train: trainLM)
    head = linear("lm.head", in: config.lmDim, out: config.vocabularySize, bias: false, train: trainLM)
    visualRowEmbed = layout.slot("lm.visual_row_embed")?.offset
    visualColEmbed = layout.slot("lm.visual_col_embed")?.offset
    coordRowEmbed = layout.slot("lm.coord_row_embed")?.offset
    coordColEmbed = layout.slot("lm.coord_col_embed")?.offset
  }

  static func linearShape(_ target: String, dim: Int, ratio: Int) -> (Int, Int) {
    switch target {
    case "attn.qkv": return (dim, 3 * dim)
    case "attn.proj": return (dim, dim)
    case "mlp.fc1": return (dim, ratio * dim)
    default: return (ratio * dim, dim)
    }
  }

  /// Whether the optimiser updates tensor `name` under this model's parts and adapters.
  public func isTrainable(_ name: String) -> Bool {
    if name.hasPrefix("vision.") { return parts.contains(.vision) }
    if name.hasPrefix("connector.") { return parts.contains(.connector) }
    guard name.hasPrefix("lm."), parts.contains(.lm) else { return false }
    if name.hasSuffix(".lora_a") || name.hasSuffix(".lora_b") { return true }
    if let lora {
      for target in lora.targets
      where name.hasSuffix(".\(target).weight") || name.hasSuffix(".\(target).bias") {
        if name.hasPrefix("lm.blocks.") { return false }
      }
    }
    return true
  }

  /// Whether AdamW's weight decay applies: matrices only (not biases, norms, embeddings).
  public func isDecayed(_ name: String) -> Bool {
    name.hasSuffix(".weight") && !name.contains("norm") || name.hasSuffix(".lora_a")
      || name.hasSuffix(".lora_b")
  }

  public var isLoRATensor: (String) -> Bool { { $0.hasSuffix(".lora_a") || $0.hasSuffix(".lora_b") } }

  /// Row of the first visual token of frame `frame` (0-based): BOS, `[INST] `, the frames
  /// before it with their `<Img>`/`</Img>`, then its own `<Img>`.
  func visualStart(frame: Int) -> Int {
    1 + NativePrompt.instOpen.count
      + frame * (NativePrompt.frameOpen.count + config.visualTokenCount + NativePrompt.frameClose.count)
      + NativePrompt.frameOpen.count
  }
}
