extension NativeVLM {
  /// Greedy answers to `questions` about the image of `prefix`, decoded together (see
  /// `generate`).
  public func answer(prefix: ImagePrefix, questions: [String], maxNewTokens: Int) throws(NativeModelError)
    -> [String]
  {
    try generate(prefix: prefix, questions: questions, maxNewTokens: maxNewTokens).map(\.text)
  }

  /// Batched greedy decoding: all questions are fed together (one sgemm per weight matrix for
  /// all their tokens), then advance one token per step together; a sequence drops out when it
  /// produces EOS, reaches `maxNewTokens`, or fills `maxPositions`. Tokens that every question
  /// of the batch starts with (`[reconstruct] loc: [` ...) are run once and appended to the
  /// shared prefix.
  public func generate(
    prefix: ImagePrefix, questions: [String], maxNewTokens: Int, recordLogits: Bool = false,
    profile: NativeProfile? = nil
  ) throws(NativeModelError) -> [NativeGeneration] {
    try checkPrefix(prefix)
    var prompts = questions.map(NativePrompt.questionTokens)
    let limits = try prompts.map { (prompt) throws(NativeModelError) in
      try tokenLimit(prefixLength: prefix.length, promptLength: prompt.count, maxNewTokens: maxNewTokens)
    }
    var results = [NativeGeneration](
      repeating: NativeGeneration(tokens: [], endedWithEOS: false, stepLogits: []),
      count: questions.count)
    let live = prompts.indices.filter { limits[$0] > 0 }
    guard !live.isEmpty else { return results }
    var prefix = prefix
    var coordinates = prompts.map(lm.coordinate)
    // The shared head stops before any coordinate embedding starts (it is per question).
    let limit = coordinates.compactMap { $0?.start }.min() ?? Int.max
    let shared = live.count > 1 ? Self.sharedHead(live.map { prompts[$0] }, limit: limit) : 0
    if shared > 0 {
      prefix = extend(prefix, with: Array(prompts[live[0]][..<shared]), profile: profile)
      prompts = prompts.map { Array($0.dropFirst(shared)) }
      coordinates = coordinates.map { $0?.dropping(shared) }
    }
    // A sequence is fed its prompt and every generated token but the last.
    let decoder = NativeBatchDecoder(
      lm: lm, prefix: prefix,
      capacities: prompts.indices.map { prompts[$0].count + max(limits[$0] - 1, 0) },
      coordinates: coordinates, profile: profile)
    var active = live
    var logits = decoder.extend(active, active.map { prompts[$0] })
    let vocabulary = config.vocabularySize
    while !active.isEmpty {
      var next: [Int] = []
      for (row, s) in active.enumerated() {
        let rowLogits = logits.base + row * vocabulary
        if recordLogits {
          results[s].stepLogits.append(Array(UnsafeBufferPointer(start: rowLogits, count: vocabulary)))
        }
        let token = NativeKernels.argmax(rowLogits, in: NativeVocabulary.generatable)
        if token == NativeVocabulary.eos {
          results[s].endedWithEOS = true
        } else {
          results[s].tokens.append(token)
          if results[s].tokens.count < limits[s] { next.append(s) }
        }
      }
      active = next
      guard !active.isEmpty else { break }
      logits = decoder.extend(active, active.map { [results[$0].tokens.last!] })
    }
    return results
  }

  /// How many leading tokens all `prompts` share, leaving each at least one of its own (the one
  /// whose logits give its first answer token), and at most `limit`.
  public static func sharedHead(_ prompts: [[Int]], limit: Int = .max) -> Int {
    guard var length = prompts.map(\.count).min() else { return 0 }
    length = min(length - 1, limit)
    for prompt in prompts.dropFirst() {
      var i = 0
      while i < length && prompt[i] == prompts[0][i] { i += 1 }
      length = i
    }
    return max(length, 0)
  }

  /// `prefix` followed by `tokens`, as one longer prefix.
  func extend(_ prefix: ImagePrefix, with tokens: [Int], profile: NativeProfile?) -> ImagePrefix {
    let decoder = NativeBatchDecoder(
      lm: lm, prefix: prefix, capacities: [tokens.count], coordinates: [nil], profile: profile)
    _ = decoder.extend([0], [tokens])
    var keys: [[Float]] = []
    var values: [[Float]] = []
    for layer in 0..<config.lmLayers {
      let rows = decoder.cachedRows(layer: layer, sequence: 0)
      keys.append(prefix.keys[layer] + rows.keys)
      values.append(prefix.values[layer] + rows.values)
    }
    return ImagePrefix(length: prefix.length + tokens.count, dim: prefix.dim, keys: keys, values: values)
  }

  /// How many tokens a question of `promptLength` tokens (closing `[/INST]` included) may
  /// generate: `maxNewTokens`, or fewer where `maxPositions` runs out.
  func tokenLimit(prefixLength: Int, promptLength: Int, maxNewTokens: Int) throws(NativeModelError)
    -> Int
  {
    let used = prefixLength + promptLength
    guard used <= config.maxPositions else {
      throw NativeModelError(
        code: .promptTooLong,
        detail: "prefix and question take \(used) positions, the model has \(config.maxPositions)")
    }
    return max(0, min(maxNewTokens, config.maxPositions - used + 1))
  }

  func checkPrefix(_ prefix: ImagePrefix) throws(NativeModelError) {
    // Longer prefixes hold several frames (encodeImages).
    guard prefix.length >= config.prefixLength, prefix.dim == config.lmDim,
      prefix.keys.count == config.lmLayers, prefix.values.count == config.lmLayers
    else {
      throw NativeModelError(
        code: .badImage, detail: "the image prefix was not made by a model of this config")
    }
  }
}
