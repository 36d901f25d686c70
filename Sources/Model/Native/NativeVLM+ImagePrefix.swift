extension NativeVLM {
  /// The image prefix (BOS, `[INST] <Img>`, the visual tokens, `</Img> `) run through the
  /// language model once: its per-layer keys and values, reused for every question about the
  /// image. Immutable, so many threads may decode against one prefix at once.
  public struct ImagePrefix: Sendable {
    /// Tokens in the prefix (`config.prefixLength`).
    public let length: Int
    public let dim: Int
    /// Per LM layer, `[length, lmDim]` row-major.
    public let keys: [[Float]]
    public let values: [[Float]]
  }

  /// Runs the vision encoder, the connector and the language model over the image prefix.
  /// `pixels` holds `3 x imageSize x imageSize` values, channel-major, already normalised (CLIP
  /// mean and std).
  public func encodeImage(_ pixels: [Float], profile: NativeProfile? = nil) throws(NativeModelError)
    -> ImagePrefix
  {
    let embeddings = try prefixEmbeddings(pixels, profile: profile)
    return prefix(embeddings, rows: config.prefixLength, profile: profile)
  }

  /// Runs prefix embeddings `[rows, lmDim]` through the language model, keeping every layer's
  /// keys and values.
  func prefix(_ embeddings: NativeBuffer, rows: Int, profile: NativeProfile?) -> ImagePrefix {
    let dim = config.lmDim
    var keys: [[Float]] = []
    var values: [[Float]] = []
    for block in lm.blocks {
      let k = NativeBuffer(rows * dim)
      let v = NativeBuffer(rows * dim)
      block.forward(
        embeddings.base, rows: rows, causal: true, keys: k.base, values: v.base, profile: profile)
      keys.append(k.array)
      values.append(v.array)
    }
    return ImagePrefix(length: rows, dim: dim, keys: keys, values: values)
  }

  /// Input embeddings `[prefixLength, lmDim]` of the image prefix, positions included: the
  /// frames' prefix of one frame, which is token for token the single-image prefix.
  func prefixEmbeddings(_ pixels: [Float], profile: NativeProfile?) throws(NativeModelError)
    -> NativeBuffer
  {
    try framesEmbeddings([pixels], profile: profile)
  }
}
