import Foundation
import Testing

@testable import Model

@Suite struct NativeCoordinateTests {
  static func tokens(_ text: String) -> [Int] { NativeVocabulary.encode(text) }

  @Test func parsesTheFirstRowColumnPair() {
    let question = NativePrompt.questionTokens("[reconstruct] loc: [12,3] rgb: ")
    // "[reconstruct] loc: [" is 20 bytes, "12,3" 4 more: the "]" is token 24.
    #expect(NativeCoordinate.parse(question, range: 64) == NativeCoordinate(row: 12, col: 3, start: 24))
    #expect(NativeCoordinate.parse(Self.tokens("a [0,63] then [5,5]"), range: 64)?.start == 7)
  }

  @Test(arguments: [
    "[carracing] choose an action from Action Space: [0: NOOP, 1: LEFT].",  // game prompt
    "[reconstruct] loc: [64,0] rgb: ",  // outside the range
    "[1,2", "[,2]", "[1,]", "[12345,1]", "no numbers",
  ])
  func othersHaveNone(text: String) {
    #expect(NativeCoordinate.parse(Self.tokens(text), range: 64) == nil)
    #expect(NativeCoordinate.parse(Self.tokens("[1,2]"), range: 0) == nil)
  }

  /// An addressed model with large weights, so answers depend on the image and the question.
  static let model = try! NativeVLM.random(config: .microAddressed, seed: 12, std: 0.5)
  static let pixels = nativeTestPixels(.micro, seed: 5)

  /// The batched, cached decoder (shared question head, coordinate from `]` on, answers too)
  /// gives the logits of the plain full recomputation, question by question.
  @Test func cachedBatchedDecodeEqualsFullRecomputation() throws {
    let model = Self.model
    let questions =
      (0..<5).map { "[reconstruct] loc: [\($0 * 13),\(63 - $0 * 9)] rgb: " } + [
        // Two identical questions: the shared head must still stop at "]".
        "[reconstruct] loc: [7,7] rgb: ", "[reconstruct] loc: [7,7] rgb: ",
        "[refer] no coordinate here",
      ]
    let batched = try model.generate(
      prefix: model.encodeImage(Self.pixels), questions: questions, maxNewTokens: 6, recordLogits: true)
    for (question, result) in zip(questions, batched) {
      let full = try model.referenceGenerate(pixels: Self.pixels, question: question, maxNewTokens: 6)
      #expect(full.tokens == result.tokens, "\(question)")
      for (x, y) in zip(full.stepLogits, result.stepLogits) { #expect(nativeMaxDifference(x, y) < 1e-4) }
    }
  }

  /// The coordinate embedding changes the answer's logits; the visual row/column embeddings
  /// change the prefix. Checked against the same weights with the tables zeroed.
  @Test func bothTablesTakePart() throws {
    let question = "[reconstruct] loc: [3,40] rgb: "
    let base = try Self.model.referenceLogits(pixels: Self.pixels, question: question)
    for table in ["lm.coord_row_embed", "lm.visual_col_embed"] {
      var weights = Self.model.weights
      let tensor = weights[table]!
      weights[table] = NativeTensor(shape: tensor.shape, values: [Float](repeating: 0, count: tensor.count))
      let zeroed = try NativeVLM(config: .microAddressed, weights: weights)
      #expect(
        nativeMaxDifference(base, try zeroed.referenceLogits(pixels: Self.pixels, question: question)) > 1e-3)
    }
  }

  /// A config written before the addressing fields existed decodes with them off; the new
  /// fields round-trip; a file of the old tiny shape is refused by the addressed config with
  /// an error naming the missing table.
  @Test func oldConfigsStillDecode() throws {
    let old =
      #"{"imageSize":16,"layerNormEpsilon":1e-05,"lmDim":32,"lmHeads":2,"lmLayers":2,"maxPositions":128,"mlpRatio":2,"patchSize":4,"visionDim":32,"visionHeads":2,"visionLayers":2}"#
    #expect(try JSONDecoder().decode(NativeModelConfig.self, from: Data(old.utf8)) == .micro)
    let encoded = try JSONEncoder().encode(NativeModelConfig.microAddressed)
    #expect(try JSONDecoder().decode(NativeModelConfig.self, from: encoded) == .microAddressed)
    do {
      _ = try NativeVLM(config: .microAddressed, weights: NativeVLM.randomWeights(config: .micro, seed: 1))
      Issue.record("an old-shape store loaded into the addressed config")
    } catch {
      #expect(error.code == .missingTensor)
      #expect(error.tensor == "lm.visual_row_embed")
    }
  }
}
