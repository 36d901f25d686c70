import Model
import Testing

@testable import Training

@Suite struct TrainableVLMTests {
  /// The same random weights as an inference model and as a trainable one, with the training
  /// forward pass up to the scored logits `[lossRows, V]` of `group` on `pixels`.
  struct Twins {
    let vlm: NativeVLM
    let model: TrainableVLM
    let params: TensorBuffer
    let grads: TensorBuffer
    let tape: ModelTape

    init(seed: UInt64, config: NativeModelConfig = Fixture.config) throws {
      let store = NativeVLM.randomWeights(config: config, seed: seed, std: 0.1)
      vlm = try NativeVLM(config: config, weights: store)
      model = TrainableVLM(config: config)
      params = try model.makeParameters(from: store)
      grads = TensorBuffer(model.layout)
      tape = ModelTape(visionLayers: config.visionLayers, lmLayers: config.lmLayers)
    }

    func trainingLogits(_ pixels: [Float], group: SequenceGroup) -> [Float] {
      let access = ParameterAccess(params: params.base, grads: grads.base)
      return pixels.withUnsafeBufferPointer { p in
        let hidden = model.lmForward(access, pixels: p.baseAddress!, group: group, tape: tape)
        let out = model.scoredLogits(access, hidden: hidden, group: group, tape: tape)
        return Array(
          UnsafeBufferPointer(start: out, count: group.lossRows.count * model.config.vocabularySize))
      }
    }
  }

  /// The training forward pass (shared prefix, suffixes, loss rows only) gives the logits that
  /// `NativeVLM.referenceLogits` computes the plain way for each answer position.
  /// With the addressed config, the coordinate embedding starts at each question's `]` in both.
  @Test(arguments: [NativeModelConfig.micro, .microAddressed])
  func logitsMatchTheInferenceModel(config: NativeModelConfig) throws {
    let twins = try Twins(seed: 11, config: config)
    let pixels = Fixture.pixels()
    let group = try SequenceGroup(Fixture.examples, config: config)
    let logits = twins.trainingLogits(pixels, group: group)
    var row = 0
    var worst: Float = 0
    for example in Fixture.examples {
      let answer = NativeVocabulary.encode(example.answer)
      for prefix in 0...answer.count {
        let expected = try twins.vlm.referenceLogits(
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
    let twins = try Twins(seed: 12)
    let (a, b) = (Fixture.pixels(seed: 21), Fixture.pixels(seed: 22))
    let example = PromptExample(question: "[carracing] choose an action from Action Space: ", answer: "3")
    let group = try SequenceGroup([example], frames: 2, config: config)
    // The question's 48 bytes and " [/INST]" (8), then the answer byte; EOS is predicted, not fed.
    #expect(group.shape.shared + group.suffixLength == config.prefixLength(frames: 2) + 48 + 8 + 1)
    let trained = twins.trainingLogits(a + b, group: group)
    let swapped = twins.trainingLogits(b + a, group: group)
    #expect(group.lossRows.count == 2)
    var worst: Float = 0
    var apart: Float = 0
    for (row, answer) in [[Int](), NativeVocabulary.encode("3")].enumerated() {
      let expected = try twins.vlm.referenceLogits(
        frames: [a, b], question: example.question, answer: answer)
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
