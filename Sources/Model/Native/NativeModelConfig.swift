/// Shape of the in-process vision-language model (`native:` backend): a ViT encoder, a connector
/// that concatenates 2x2 neighbouring visual tokens and projects them to the language model's
/// width, and a causal byte-level transformer language model. See `README.md` beside this file.
public struct NativeModelConfig: Codable, Sendable, Equatable {
  /// Side of the square input image, in pixels.
  public var imageSize: Int
  /// Side of a square patch; `imageSize / patchSize` must be even (2x2 merge).
  public var patchSize: Int
  public var visionDim: Int
  public var visionLayers: Int
  public var visionHeads: Int
  public var lmDim: Int
  public var lmLayers: Int
  public var lmHeads: Int
  /// Hidden width of every MLP as a multiple of its block's width.
  public var mlpRatio: Int
  /// Length of the language model's learned position table (prefix + question + answer).
  public var maxPositions: Int
  public var layerNormEpsilon: Float
  /// Row and column embeddings added to the visual tokens in the LM (`lm.visual_row_embed`,
  /// `lm.visual_col_embed`), so a visual token's place is two table lookups. Files written
  /// before it existed have none.
  public var visualPositions2D: Bool
  /// When positive, the coordinate of a question's first `[row,col]` (both below this range)
  /// is embedded (`lm.coord_row_embed`, `lm.coord_col_embed`) and added to every token after
  /// it, the answer's included: the LM reads the coordinate as one lookup instead of learning
  /// to parse digits. 0: off (files written before it existed).
  public var coordinateRange: Int

  public init(
    imageSize: Int, patchSize: Int, visionDim: Int, visionLayers: Int, visionHeads: Int,
    lmDim: Int, lmLayers: Int, lmHeads: Int, mlpRatio: Int = 4, maxPositions: Int,
    layerNormEpsilon: Float = 1e-5, visualPositions2D: Bool = false, coordinateRange: Int = 0
  ) {
    self.imageSize = imageSize
    self.patchSize = patchSize
    self.visionDim = visionDim
    self.visionLayers = visionLayers
    self.visionHeads = visionHeads
    self.lmDim = lmDim
    self.lmLayers = lmLayers
    self.lmHeads = lmHeads
    self.mlpRatio = mlpRatio
    self.maxPositions = maxPositions
    self.layerNormEpsilon = layerNormEpsilon
    self.visualPositions2D = visualPositions2D
    self.coordinateRange = coordinateRange
  }

  enum CodingKeys: String, CodingKey {
    case imageSize, patchSize, visionDim, visionLayers, visionHeads, lmDim, lmLayers, lmHeads
    case mlpRatio, maxPositions, layerNormEpsilon, visualPositions2D, coordinateRange
  }

  /// The addressing fields are optional, so configs written before them still decode (off).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      imageSize: try c.decode(Int.self, forKey: .imageSize),
      patchSize: try c.decode(Int.self, forKey: .patchSize),
      visionDim: try c.decode(Int.self, forKey: .visionDim),
      visionLayers: try c.decode(Int.self, forKey: .visionLayers),
      visionHeads: try c.decode(Int.self, forKey: .visionHeads),
      lmDim: try c.decode(Int.self, forKey: .lmDim), lmLayers: try c.decode(Int.self, forKey: .lmLayers),
      lmHeads: try c.decode(Int.self, forKey: .lmHeads), mlpRatio: try c.decode(Int.self, forKey: .mlpRatio),
      maxPositions: try c.decode(Int.self, forKey: .maxPositions),
      layerNormEpsilon: try c.decode(Float.self, forKey: .layerNormEpsilon),
      visualPositions2D: try c.decodeIfPresent(Bool.self, forKey: .visualPositions2D) ?? false,
      coordinateRange: try c.decodeIfPresent(Int.self, forKey: .coordinateRange) ?? 0)
  }
}

extension NativeModelConfig {
  /// The model a later issue trains on a 2-core CPU: 64x64 input, 16x16 patches of 4x4 pixels,
  /// 64 visual tokens after the 2x2 merge, width 128 with 4 layers and 4 heads on both sides
  /// (about 1.8M parameters). 384 positions hold the 84-token image prefix plus questions of up
  /// to ~280 bytes with their answers.
  public static let tiny = NativeModelConfig(
    imageSize: 64, patchSize: 4, visionDim: 128, visionLayers: 4, visionHeads: 4,
    lmDim: 128, lmLayers: 4, lmHeads: 4, mlpRatio: 4, maxPositions: 384)

  /// Wider and deeper than `tiny`, same input geometry (about 7.9M parameters).
  public static let small = NativeModelConfig(
    imageSize: 64, patchSize: 4, visionDim: 192, visionLayers: 6, visionHeads: 6,
    lmDim: 256, lmLayers: 6, lmHeads: 8, mlpRatio: 4, maxPositions: 512)

  /// A toy for unit tests in debug builds: 16x16 input, 4 visual tokens, width 32.
  public static let micro = NativeModelConfig(
    imageSize: 16, patchSize: 4, visionDim: 32, visionLayers: 2, visionHeads: 2,
    lmDim: 32, lmLayers: 2, lmHeads: 2, mlpRatio: 2, maxPositions: 128)

  /// `tiny` with coordinate addressing (issue 12): row/column embeddings on the visual tokens
  /// and the embedded `[row,col]` of the 64x64 PVP grid added to the tokens after it.
  public static let tinyAddressed = tiny.addressed(coordinateRange: 64)

  /// `micro` with coordinate addressing, for tests.
  public static let microAddressed = micro.addressed(coordinateRange: 64)

  /// This shape with row/column embeddings on the visual tokens and coordinate embeddings of
  /// `coordinateRange` values.
  public func addressed(coordinateRange: Int) -> NativeModelConfig {
    var config = self
    config.visualPositions2D = true
    config.coordinateRange = coordinateRange
    return config
  }

  /// The presets by name, for command-line options.
  public static let presets: [String: NativeModelConfig] = [
    "tiny": .tiny, "small": .small, "micro": .micro, "tiny-addressed": .tinyAddressed,
    "micro-addressed": .microAddressed,
  ]
}

extension NativeModelConfig {
  /// Patches per side of the image.
  public var gridSize: Int { imageSize / patchSize }
  public var patchCount: Int { gridSize * gridSize }
  /// Values in one flattened patch (channel, then row, then column).
  public var patchInputSize: Int { 3 * patchSize * patchSize }
  /// Visual tokens the language model sees: one per 2x2 group of patches.
  public var visualTokenCount: Int { patchCount / 4 }
  /// Visual tokens per side of the merged grid.
  public var visualGridSize: Int { gridSize / 2 }
  public var vocabularySize: Int { NativeVocabulary.size }
  /// Tokens of the shared image prefix: BOS, `[INST] <Img>`, the visual tokens, `</Img> `.
  public var prefixLength: Int { prefixLength(frames: 1) }

  /// Checks that the numbers describe a model that can be built; `file` names the weights file
  /// the config came from, if any.
  public func validate(file: String? = nil) throws(NativeModelError) {
    func fail(_ detail: String) -> NativeModelError {
      NativeModelError(code: .invalidConfig, file: file, detail: detail)
    }
    let positive: [(String, Int)] = [
      ("imageSize", imageSize), ("patchSize", patchSize), ("visionDim", visionDim),
      ("visionLayers", visionLayers), ("visionHeads", visionHeads), ("lmDim", lmDim),
      ("lmLayers", lmLayers), ("lmHeads", lmHeads), ("mlpRatio", mlpRatio),
      ("maxPositions", maxPositions),
    ]
    for (name, value) in positive where value <= 0 {
      throw fail("\(name) must be positive, got \(value)")
    }
    guard coordinateRange >= 0 else {
      throw fail("coordinateRange must be 0 (off) or positive, got \(coordinateRange)")
    }
    guard imageSize % patchSize == 0 else {
      throw fail("imageSize \(imageSize) is not a multiple of patchSize \(patchSize)")
    }
    guard gridSize % 2 == 0 else {
      throw fail("the patch grid \(gridSize)x\(gridSize) cannot be merged 2x2")
    }
    guard visionDim % visionHeads == 0 else {
      throw fail("visionDim \(visionDim) is not a multiple of visionHeads \(visionHeads)")
    }
    guard lmDim % lmHeads == 0 else {
      throw fail("lmDim \(lmDim) is not a multiple of lmHeads \(lmHeads)")
    }
    guard maxPositions > prefixLength + NativePrompt.questionClose.count else {
      throw fail("maxPositions \(maxPositions) leaves no room after the \(prefixLength)-token prefix")
    }
    guard layerNormEpsilon > 0, layerNormEpsilon.isFinite else {
      throw fail("layerNormEpsilon must be a positive number")
    }
  }
}
