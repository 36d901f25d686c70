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
    let rows = config.prefixLength
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

  /// Input embeddings `[prefixLength, lmDim]` of the image prefix, positions included.
  func prefixEmbeddings(_ pixels: [Float], profile: NativeProfile?) throws(NativeModelError)
    -> NativeBuffer
  {
    let expected = 3 * config.imageSize * config.imageSize
    guard pixels.count == expected else {
      throw NativeModelError(
        code: .badImage,
        detail: "\(pixels.count) pixel values, expected 3 x \(config.imageSize) x \(config.imageSize)")
    }
    let dim = config.lmDim
    let out = NativeBuffer(config.prefixLength * dim)
    let head = [NativeVocabulary.bos] + NativePrompt.imageOpen
    lm.embed(head, positions: Array(0..<head.count), into: out.base)
    let visual = out.base + head.count * dim
    pixels.withUnsafeBufferPointer { p in
      let features = vision.forward(p.baseAddress!, profile: profile)
      connector.forward(features.base, into: visual, profile: profile)
    }
    lm.addPositions(from: head.count, rows: config.visualTokenCount, to: visual)
    let tailStart = head.count + config.visualTokenCount
    lm.embed(
      NativePrompt.imageClose,
      positions: Array(tailStart..<(tailStart + NativePrompt.imageClose.count)),
      into: out.base + tailStart * dim)
    return out
  }
}
