import Foundation
import Testing

@testable import Model

/// Deterministic pseudo-random "normalised pixels" for a config.
func nativeTestPixels(_ config: NativeModelConfig, seed: UInt64) -> [Float] {
  var random = NativeRandom(seed: seed)
  return (0..<(3 * config.imageSize * config.imageSize)).map { _ in random.nextNormal() }
}

/// The largest absolute difference between two equally long vectors.
func nativeMaxDifference(_ a: [Float], _ b: [Float]) -> Float {
  precondition(a.count == b.count)
  return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

@Suite struct NativeModelTests {
  /// A micro model with large weights, so answers depend on the image and the question.
  static let model = try! NativeVLM.random(config: .micro, seed: 11, std: 0.5)
  static let pixels = nativeTestPixels(.micro, seed: 5)
  static let questions = [
    "", "a", "[reconstruct] loc: [3,7] rgb: ", "[segmentation] the dog loc: [12,40] mask: ",
    "[refer] give me the location of the red car on the left", "[reconstruct] loc: [63,0] rgb: ",
    "é☃",
  ]

  @Test func randomWeightsAreDeterministicAndScaled() throws {
    let a = NativeVLM.randomWeights(config: .micro, seed: 3)
    let b = NativeVLM.randomWeights(config: .micro, seed: 3)
    let c = NativeVLM.randomWeights(config: .micro, seed: 4)
    #expect(a == b)
    #expect(a["lm.head.weight"] != c["lm.head.weight"])
    #expect(a.names == NativeModelConfig.micro.tensorShapes.map(\.name).sorted())
    #expect(try #require(a["lm.blocks.1.attn.qkv.bias"]).values.allSatisfy { $0 == 0 })
    #expect(try #require(a["vision.blocks.0.norm2.weight"]).values.allSatisfy { $0 == 1 })
    // Sample standard deviations against the scheme: 0.02, and 0.02 / sqrt(2 * layers).
    func std(_ name: String) throws -> Double {
      let values = try #require(a[name]).values.map(Double.init)
      let mean = values.reduce(0, +) / Double(values.count)
      return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
    }
    #expect(abs(try std("lm.tok_embed") - 0.02) < 0.002)
    #expect(abs(try std("lm.blocks.0.mlp.fc2.weight") - 0.01) < 0.001)
    // The tiny preset is the documented size.
    let tiny = NativeModelConfig.tiny
    #expect(tiny.visualTokenCount == 64)
    #expect(tiny.prefixLength == 84)
    let tinyParameters = tiny.tensorShapes.reduce(0) { $0 + $1.shape.reduce(1, *) }
    #expect((1_750_000..<1_850_000).contains(tinyParameters))
  }

  @Test func sameSeedGivesSameAnswers() throws {
    let other = try NativeVLM.random(config: .micro, seed: 11, std: 0.5)
    let model = Self.model
    let prefix = try model.encodeImage(Self.pixels)
    let again = try other.encodeImage(Self.pixels)
    #expect(prefix.keys == again.keys && prefix.values == again.values)
    #expect(
      try model.answer(prefix: prefix, questions: Self.questions, maxNewTokens: 8)
        == other.answer(prefix: again, questions: Self.questions, maxNewTokens: 8))
  }

  @Test func batchedDecodeEqualsOneAtATime() throws {
    let model = Self.model
    let prefix = try model.encodeImage(Self.pixels)
    let batched = try model.generate(
      prefix: prefix, questions: Self.questions, maxNewTokens: 10, recordLogits: true)
    for (question, result) in zip(Self.questions, batched) {
      let alone = try #require(
        model.generate(prefix: prefix, questions: [question], maxNewTokens: 10, recordLogits: true).first)
      #expect(alone.tokens == result.tokens, "question \(question)")
      #expect(alone.endedWithEOS == result.endedWithEOS)
      for (x, y) in zip(alone.stepLogits, result.stepLogits) { #expect(nativeMaxDifference(x, y) < 1e-4) }
    }
    // The check means something only if the answers depend on the question.
    #expect(Set(batched.map(\.tokens)).count > 3)
    #expect(batched.allSatisfy { !$0.tokens.isEmpty })
  }

  @Test func questionsWithACommonHeadShareItAndDecodeAsAlone() throws {
    let model = Self.model
    let prefix = try model.encodeImage(Self.pixels)
    let questions = (0..<6).map { "[reconstruct] loc: [\($0 * 7),\(63 - $0 * 11)] rgb: " }
    let prompts = questions.map(NativePrompt.questionTokens)
    // "[reconstruct] loc: [" is 20 bytes; the first two rows differ in their first digit already.
    #expect(NativeVLM.sharedHead(prompts) == 20)
    #expect(NativeVLM.sharedHead([[1, 2, 3], [1, 2, 3]]) == 2)
    #expect(NativeVLM.sharedHead([[1, 2], [1, 2, 3]]) == 1)
    #expect(NativeVLM.sharedHead([[4], [4]]) == 0)
    let batched = try model.generate(
      prefix: prefix, questions: questions, maxNewTokens: 8, recordLogits: true)
    for (question, result) in zip(questions, batched) {
      let alone = try model.referenceGenerate(pixels: Self.pixels, question: question, maxNewTokens: 8)
      #expect(alone.tokens == result.tokens)
      for (x, y) in zip(alone.stepLogits, result.stepLogits) { #expect(nativeMaxDifference(x, y) < 1e-4) }
    }
    #expect(Set(batched.map(\.tokens)).count > 1)
  }

  @Test(arguments: questions)
  func cachedDecodeEqualsFullRecomputation(question: String) throws {
    let model = Self.model
    let prefix = try model.encodeImage(Self.pixels)
    let cached = try #require(
      model.generate(prefix: prefix, questions: [question], maxNewTokens: 6, recordLogits: true).first)
    let full = try model.referenceGenerate(pixels: Self.pixels, question: question, maxNewTokens: 6)
    #expect(cached.tokens == full.tokens)
    #expect(cached.stepLogits.count == full.stepLogits.count)
    for (x, y) in zip(cached.stepLogits, full.stepLogits) { #expect(nativeMaxDifference(x, y) < 1e-4) }
  }

  @Test func answersDependOnTheImage() throws {
    let model = Self.model
    let question = ["[reconstruct] loc: [1,2] rgb: "]
    let first = try model.generate(
      prefix: model.encodeImage(Self.pixels), questions: question, maxNewTokens: 4, recordLogits: true)
    let second = try model.generate(
      prefix: model.encodeImage(nativeTestPixels(.micro, seed: 6)), questions: question, maxNewTokens: 4,
      recordLogits: true)
    #expect(nativeMaxDifference(first[0].stepLogits[0], second[0].stepLogits[0]) > 1e-3)
  }

  @Test func generationStopsWhenPositionsRunOut() throws {
    let model = Self.model
    let config = model.config
    // Leave room for exactly 3 generated tokens: the last fed token sits at maxPositions - 1.
    let room = 3
    let questionLength =
      config.maxPositions - config.prefixLength - NativePrompt.questionClose.count - room + 1
    let question = String(repeating: "x", count: questionLength)
    let prefix = try model.encodeImage(Self.pixels)
    let result = try #require(model.generate(prefix: prefix, questions: [question], maxNewTokens: 50).first)
    let full = try model.referenceGenerate(pixels: Self.pixels, question: question, maxNewTokens: 50)
    #expect(result.tokens == full.tokens)
    #expect(result.tokens.count <= room)
    if !result.endedWithEOS { #expect(result.tokens.count == room) }
  }

  @Test func tooLongPromptAndWrongImageAreErrors() throws {
    let model = Self.model
    let prefix = try model.encodeImage(Self.pixels)
    let long = String(repeating: "y", count: model.config.maxPositions)
    let tooLong = #expect(throws: NativeModelError.self) {
      try model.answer(prefix: prefix, questions: ["ok", long], maxNewTokens: 4)
    }
    #expect(tooLong?.code == .promptTooLong)
    let badImage = #expect(throws: NativeModelError.self) {
      try model.encodeImage([Float](repeating: 0, count: 10))
    }
    #expect(badImage?.code == .badImage)
    var otherConfig = NativeModelConfig.micro
    otherConfig.lmLayers = 1
    let otherPrefix = try NativeVLM.random(config: otherConfig, seed: 1).encodeImage(Self.pixels)
    let mismatch = #expect(throws: NativeModelError.self) {
      try model.answer(prefix: otherPrefix, questions: ["a"], maxNewTokens: 4)
    }
    #expect(mismatch?.code == .badImage)
    #expect(try model.answer(prefix: prefix, questions: ["a", "b"], maxNewTokens: 0) == ["", ""])
    #expect(try model.answer(prefix: prefix, questions: [], maxNewTokens: 5) == [])
  }

  @Test func concurrentCallsMatchSequentialOnes() async throws {
    let model = Self.model
    let images = (0..<4).map { nativeTestPixels(.micro, seed: 100 + UInt64($0)) }
    let expected = try images.map {
      try model.answer(prefix: model.encodeImage($0), questions: Self.questions, maxNewTokens: 6)
    }
    let results = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
      for (i, image) in images.enumerated() {
        group.addTask {
          (i, try model.answer(prefix: model.encodeImage(image), questions: Self.questions, maxNewTokens: 6))
        }
      }
      var results = [[String]](repeating: [], count: images.count)
      for try await (i, answers) in group { results[i] = answers }
      return results
    }
    #expect(results == expected)
  }
}
