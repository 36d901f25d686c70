import Testing

@testable import Model

/// Several frames in one prefix (the game template): `<Img>{frame}</Img>` per frame, in order.
@Suite struct NativeModelFramesTests {
  static let model = try! NativeVLM.random(config: .micro, seed: 11, std: 0.5)
  static let a = nativeTestPixels(.micro, seed: 5)
  static let b = nativeTestPixels(.micro, seed: 6)

  /// The single-image prefix is MiniGPT-v2's wrapping, built here token by token the plain
  /// way (BOS, the bytes of `[INST] <Img>`, the visual tokens, the bytes of `</Img> `), not
  /// through the frames code; one frame gives the same keys and values.
  @Test func oneFrameIsTheSingleImagePrefix() throws {
    let model = Self.model
    let config = NativeModelConfig.micro
    let head = [NativeVocabulary.bos] + Array("[INST] <Img>".utf8).map(Int.init)
    let tail = Array("</Img> ".utf8).map(Int.init)
    let rows = head.count + config.visualTokenCount + tail.count
    let dim = config.lmDim
    let x = NativeBuffer(rows * dim)
    model.lm.embed(head, positions: Array(0..<head.count), into: x.base)
    Self.a.withUnsafeBufferPointer { p in
      let features = model.vision.forward(p.baseAddress!, profile: nil)
      model.connector.forward(features.base, into: x.base + head.count * dim, profile: nil)
    }
    model.lm.addPositions(from: head.count, rows: config.visualTokenCount, to: x.base + head.count * dim)
    let tailStart = head.count + config.visualTokenCount
    model.lm.embed(tail, positions: Array(tailStart..<rows), into: x.base + tailStart * dim)
    var keys: [[Float]] = []
    for block in model.lm.blocks {
      let k = NativeBuffer(rows * dim)
      let v = NativeBuffer(rows * dim)
      block.forward(x.base, rows: rows, causal: true, keys: k.base, values: v.base, profile: nil)
      keys.append(k.array)
    }
    let single = try Self.model.encodeImage(Self.a)
    let frames = try Self.model.encodeImages([Self.a])
    #expect(single.length == rows)
    #expect(config.prefixLength == 1 + 12 + 4 + 7)
    for layer in 0..<keys.count { #expect(nativeMaxDifference(single.keys[layer], keys[layer]) < 1e-6) }
    #expect(frames.length == single.length)
    #expect(frames.length == NativeModelConfig.micro.prefixLength(frames: 1))
    for layer in 0..<single.keys.count {
      #expect(nativeMaxDifference(frames.keys[layer], single.keys[layer]) < 1e-6)
      #expect(nativeMaxDifference(frames.values[layer], single.values[layer]) < 1e-6)
    }
  }

  @Test func framesCountInOrder() throws {
    let ab = try Self.model.encodeImages([Self.a, Self.b])
    let ba = try Self.model.encodeImages([Self.b, Self.a])
    // BOS, "[INST] ", 2 x ("<Img>" + 4 visual tokens + "</Img>"), " "
    #expect(ab.length == 1 + 7 + 2 * (5 + 4 + 6) + 1)
    #expect(nativeMaxDifference(ab.keys[0], ba.keys[0]) > 1e-3)
    // The first frame's rows do not see the second frame (causal): they equal a one-frame run
    // (up to float rounding: the matrix products differ in size).
    let one = try Self.model.encodeImages([Self.a])
    let rows = 1 + 7 + 5 + 4 + 6
    let dim = NativeModelConfig.micro.lmDim
    #expect(
      nativeMaxDifference(Array(ab.keys[1][..<(rows * dim)]), Array(one.keys[1][..<(rows * dim)])) < 1e-4)
    let answer = try Self.model.answer(prefix: ab, questions: ["q"], maxNewTokens: 3)
    #expect(answer.count == 1)
  }

  /// The plain recomputation after a frames prefix: one frame equals the single-image
  /// reference, and two frames give the logits the cached decoder records step by step.
  @Test func referenceLogitsOfFrames() throws {
    let one = try Self.model.referenceLogits(frames: [Self.a], question: "q", answer: [65])
    let single = try Self.model.referenceLogits(pixels: Self.a, question: "q", answer: [65])
    #expect(nativeMaxDifference(one, single) < 1e-5)
    let prefix = try Self.model.encodeImages([Self.a, Self.b])
    let generated = try Self.model.generate(
      prefix: prefix, questions: ["which action?"], maxNewTokens: 3, recordLogits: true)[0]
    #expect(!generated.stepLogits.isEmpty)
    for (step, logits) in generated.stepLogits.enumerated() {
      let reference = try Self.model.referenceLogits(
        frames: [Self.a, Self.b], question: "which action?", answer: Array(generated.tokens[..<step]))
      #expect(nativeMaxDifference(reference, logits) < 1e-4)
    }
  }

  @Test func tooManyFramesAreRefused() {
    #expect(throws: NativeModelError.self) {
      try Self.model.encodeImages(Array(repeating: Self.a, count: 10))
    }
    #expect(throws: NativeModelError.self) { try Self.model.encodeImages([]) }
  }
}
