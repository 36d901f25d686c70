extension NativeModelConfig {
  /// Tokens of a prefix of `frames` images: BOS, `[INST] `, per frame `<Img>` + visual tokens +
  /// `</Img>`, then one space. For one frame it is `prefixLength`.
  public func prefixLength(frames: Int) -> Int {
    1 + NativePrompt.instOpen.count
      + frames * (NativePrompt.frameOpen.count + visualTokenCount + NativePrompt.frameClose.count)
      + NativePrompt.frameTail.count
  }
}

extension NativePrompt {
  /// The pieces of the frames' prefix: `[INST] `, then per frame `<Img>`, its visual tokens and
  /// `</Img>`, then `frameTail` (one space). One frame gives MiniGPT-v2's single-image wrapping
  /// `[INST] <Img>...</Img> `.
  public static let instOpen = NativeVocabulary.encode("[INST] ")
  public static let frameOpen = NativeVocabulary.encode("<Img>")
  public static let frameClose = NativeVocabulary.encode("</Img>")
  public static let frameTail = NativeVocabulary.encode(" ")
}

extension NativeVLM {
  /// The prefix of several frames (the paper's game template):
  /// `BOS [INST] <Img>{frame 1}</Img><Img>{frame 2}</Img>... ` run through the language model
  /// once. With one frame it equals `encodeImage`'s prefix.
  public func encodeImages(_ frames: [[Float]]) throws(NativeModelError) -> ImagePrefix {
    let rows = config.prefixLength(frames: frames.count)
    guard rows < config.maxPositions else {
      throw NativeModelError(
        code: .promptTooLong,
        detail: "\(frames.count) frames take \(rows) positions, the model has \(config.maxPositions)")
    }
    return prefix(try framesEmbeddings(frames, profile: nil), rows: rows, profile: nil)
  }

  /// Input embeddings `[prefixLength(frames:), lmDim]` of the frames' prefix, positions
  /// included (not checked against `maxPositions`).
  func framesEmbeddings(_ frames: [[Float]], profile: NativeProfile?) throws(NativeModelError)
    -> NativeBuffer
  {
    guard !frames.isEmpty else {
      throw NativeModelError(code: .badImage, detail: "no frames")
    }
    let expected = 3 * config.imageSize * config.imageSize
    for frame in frames where frame.count != expected {
      throw NativeModelError(
        code: .badImage,
        detail: "\(frame.count) pixel values, expected 3 x \(config.imageSize) x \(config.imageSize)")
    }
    let dim = config.lmDim
    let embeddings = NativeBuffer(config.prefixLength(frames: frames.count) * dim)
    var position = 0
    func text(_ tokens: [Int]) {
      lm.embed(
        tokens, positions: Array(position..<(position + tokens.count)),
        into: embeddings.base + position * dim)
      position += tokens.count
    }
    text([NativeVocabulary.bos] + NativePrompt.instOpen)
    for frame in frames {
      text(NativePrompt.frameOpen)
      let visual = embeddings.base + position * dim
      frame.withUnsafeBufferPointer { p in
        let features = vision.forward(p.baseAddress!, profile: profile)
        connector.forward(features.base, into: visual, profile: profile)
      }
      lm.addPositions(from: position, rows: config.visualTokenCount, to: visual)
      lm.addVisualPositions(to: visual)
      position += config.visualTokenCount
      text(NativePrompt.frameClose)
    }
    text(NativePrompt.frameTail)
    return embeddings
  }
}
