extension NativeVLM {
  /// Next-token logits after the prompt for `question` followed by `answer` tokens, computed the
  /// plain way: the image is encoded again and the whole sequence runs through the language
  /// model with full causal attention, no cache. For tests of the cached, batched path.
  public func referenceLogits(pixels: [Float], question: String, answer: [Int] = [])
    throws(NativeModelError) -> [Float]
  {
    try referenceLogits(
      prefix: try prefixEmbeddings(pixels, profile: nil), rows: config.prefixLength, question: question,
      answer: answer)
  }

  /// `referenceLogits` after the prefix of several frames (`encodeImages`' layout).
  public func referenceLogits(frames: [[Float]], question: String, answer: [Int] = [])
    throws(NativeModelError) -> [Float]
  {
    try referenceLogits(
      prefix: try framesEmbeddings(frames, profile: nil), rows: config.prefixLength(frames: frames.count),
      question: question, answer: answer)
  }

  func referenceLogits(prefix: NativeBuffer, rows prefixRows: Int, question: String, answer: [Int])
    throws(NativeModelError) -> [Float]
  {
    let questionTokens = NativePrompt.questionTokens(question)
    let tokens = questionTokens + answer
    let rows = prefixRows + tokens.count
    guard rows <= config.maxPositions else {
      throw NativeModelError(
        code: .promptTooLong, detail: "sequence of \(rows) tokens, the model has \(config.maxPositions)")
    }
    let dim = config.lmDim
    let x = NativeBuffer(rows * dim)
    x.base.update(from: prefix.base, count: prefixRows * dim)
    lm.embed(tokens, positions: Array(prefixRows..<rows), into: x.base + prefixRows * dim)
    lm.addCoordinate(
      lm.coordinate(questionTokens), first: 0, rows: tokens.count, to: x.base + prefixRows * dim)
    for block in lm.blocks { block.forward(x.base, rows: rows, causal: true, profile: nil) }
    return lm.logits(x.base + (rows - 1) * dim, rows: 1, profile: nil).array
  }

  /// Greedy decoding of one question by full recomputation at every step (slow; for tests).
  /// Follows the same stopping rules as `generate` and records the logits of every step.
  public func referenceGenerate(pixels: [Float], question: String, maxNewTokens: Int)
    throws(NativeModelError) -> NativeGeneration
  {
    let limit = try tokenLimit(
      prefixLength: config.prefixLength, promptLength: NativePrompt.questionTokens(question).count,
      maxNewTokens: maxNewTokens)
    var result = NativeGeneration(tokens: [], endedWithEOS: false, stepLogits: [])
    while result.tokens.count < limit {
      let logits = try referenceLogits(pixels: pixels, question: question, answer: result.tokens)
      result.stepLogits.append(logits)
      let token = logits.withUnsafeBufferPointer {
        NativeKernels.argmax($0.baseAddress!, in: NativeVocabulary.generatable)
      }
      if token == NativeVocabulary.eos {
        result.endedWithEOS = true
        break
      }
      result.tokens.append(token)
    }
    return result
  }
}
