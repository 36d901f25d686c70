import Model
import Testing

@testable import Training

@Suite struct TrainableVLMTests {
  /// The training forward pass (shared prefix, suffixes, loss rows only) gives the logits that
  /// `NativeVLM.referenceLogits` computes the plain way for each answer position.
  @Test func logitsMatchTheInferenceModel() throws {
    let config = Fixture.config
    let store = NativeVLM.randomWeights(config: config, seed: 11, std: 0.1)
    let vlm = try NativeVLM(config: config, weights: store)
    let model = TrainableVLM(config: config)
    let params = try model.makeParameters(from: store)
    let grads = TensorBuffer(model.layout)
    let pixels = Fixture.pixels()
    let group = try SequenceGroup(Fixture.examples, config: config)
    let tape = ModelTape(visionLayers: config.visionLayers, lmLayers: config.lmLayers)
    let access = ParameterAccess(params: params.base, grads: grads.base)
    let logits = pixels.withUnsafeBufferPointer { p in
      let hidden = model.lmForward(access, pixels: p.baseAddress!, group: group, tape: tape)
      let out = model.scoredLogits(access, hidden: hidden, group: group, tape: tape)
      return Array(UnsafeBufferPointer(start: out, count: group.lossRows.count * config.vocabularySize))
    }
    var row = 0
    var worst: Float = 0
    for example in Fixture.examples {
      let answer = NativeVocabulary.encode(example.answer)
      for prefix in 0...answer.count {
        let expected = try vlm.referenceLogits(
          pixels: pixels, question: example.question, answer: Array(answer[0..<prefix]))
        for v in 0..<config.vocabularySize {
          worst = max(worst, abs(expected[v] - logits[row * config.vocabularySize + v]))
        }
        row += 1
      }
    }
    #expect(row == group.lossRows.count)
    #expect(worst < 1e-4)
  }

  /// Two frames (the game layout): the training forward pass gives the logits that
  /// `NativeVLM.referenceLogits(frames:)` computes the plain way, and differs when the frames
  /// are swapped (each frame has its own visual rows).
  @Test func frameLogitsMatchTheInferenceModel() throws {
    let config = Fixture.config
    let store = NativeVLM.randomWeights(config: config, seed: 12, std: 0.1)
    let vlm = try NativeVLM(config: config, weights: store)
    let model = TrainableVLM(config: config)
    let params = try model.makeParameters(from: store)
    let grads = TensorBuffer(model.layout)
    let (a, b) = (Fixture.pixels(seed: 21), Fixture.pixels(seed: 22))
    let example = PromptExample(question: "[carracing] choose an action from Action Space: ", answer: "3")
    let group = try SequenceGroup([example], frames: 2, config: config)
    // The question's 48 bytes and " [/INST]" (8), then the answer byte; EOS is predicted, not fed.
    #expect(group.shape.shared + group.suffixLength == config.prefixLength(frames: 2) + 48 + 8 + 1)
    let tape = ModelTape(visionLayers: config.visionLayers, lmLayers: config.lmLayers)
    let access = ParameterAccess(params: params.base, grads: grads.base)
    func logits(_ pixels: [Float]) -> [Float] {
      pixels.withUnsafeBufferPointer { p in
        let hidden = model.lmForward(access, pixels: p.baseAddress!, group: group, tape: tape)
        let out = model.scoredLogits(access, hidden: hidden, group: group, tape: tape)
        return Array(UnsafeBufferPointer(start: out, count: group.lossRows.count * config.vocabularySize))
      }
    }
    let trained = logits(a + b)
    let swapped = logits(b + a)
    #expect(group.lossRows.count == 2)
    var worst: Float = 0
    var apart: Float = 0
    for (row, answer) in [[Int](), NativeVocabulary.encode("3")].enumerated() {
      let expected = try vlm.referenceLogits(frames: [a, b], question: example.question, answer: answer)
      for v in 0..<config.vocabularySize {
        worst = max(worst, abs(expected[v] - trained[row * config.vocabularySize + v]))
        apart = max(apart, abs(expected[v] - swapped[row * config.vocabularySize + v]))
      }
    }
    #expect(worst < 1e-4)
    #expect(apart > 1e-3)
  }

  @Test func sequenceGroupSharesTheCommonQuestionHead() throws {
    let group = try SequenceGroup(Fixture.examples, config: Fixture.config)
    #expect(group.sharedTokens == NativeVocabulary.encode("[reconstruct] loc: ["))
    // "11,0] rgb:  [/INST]" (19) + "[255,255,255]" (13) is the longest input suffix.
    #expect(group.suffixLength == 32)
    // Answer bytes + EOS of each example.
    #expect(group.answerTokens == 11 + 9 + 14)
    #expect(group.targets.last == NativeVocabulary.eos)
  }
}
