import Foundation
import Model
import Testing

@testable import Training

@Suite struct BlockImagesTests {
  /// Every answer is the colour of the image's pixel at the asked cell (read back from the
  /// image itself), in the paper's answer format; batches are a pure function of seed and step.
  @Test func answersAreTheBlockColours() throws {
    let blocks = try BlockImages(blocks: [2, 4, 8], inputSize: 16)
    let items = blocks.batch(step: 3, images: 5, questions: 20, seed: 9)
    #expect(
      items.count == 5 && items.allSatisfy { $0.examples.count == 20 && $0.pixels.count == 3 * 16 * 16 })
    for (index, item) in items.enumerated() {
      let (image, k, colours) = blocks.image(seed: 9, step: 3, index: index)
      #expect([2, 4, 8].contains(k) && colours.count == k * k)
      for example in item.examples {
        let numbers = example.question.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        let (row, col) = (numbers[0], numbers[1])
        let p = (row * 64 + col) * 3
        #expect(
          example.answer == "[\(image.pixels[p]),\(image.pixels[p + 1]),\(image.pixels[p + 2])]")
      }
    }
    #expect(blocks.batch(step: 3, images: 5, questions: 20, seed: 9).map(\.examples) == items.map(\.examples))
    #expect(blocks.batch(step: 4, images: 5, questions: 20, seed: 9).map(\.examples) != items.map(\.examples))
    let twoLevels = try BlockImages(blocks: [2], levels: 2, inputSize: 16)
    let values = Set(twoLevels.image(seed: 1, step: 1, index: 0).image.pixels)
    #expect(values.isSubset(of: [0, 255]))
    #expect(throws: TrainingError.self) { try BlockImages(blocks: [3], inputSize: 16) }
    #expect(throws: TrainingError.self) { try BlockImages(blocks: [2], levels: 1, inputSize: 16) }
  }

  @Test func mixedDataTakesItsShareFromTheExtraSource() throws {
    let a = try BlockImages(blocks: [2], levels: 2, inputSize: 16)
    let b = try BlockImages(blocks: [8], inputSize: 16)
    let mixed = try MixedData(main: a, extra: b, share: 0.25)
    let items = mixed.batch(step: 1, images: 8, questions: 4, seed: 2)
    #expect(items.count == 8)
    #expect(
      items[0..<2].map(\.examples) == b.batch(step: 1, images: 2, questions: 4, seed: 2).map(\.examples))
    #expect(items[2...].map(\.examples) == a.batch(step: 1, images: 6, questions: 4, seed: 2).map(\.examples))
    #expect(throws: TrainingError.self) { try MixedData(main: a, extra: b, share: 1.5) }
  }

  /// The test that would have caught issue 12's plateau: the micro model with coordinate
  /// addressing learns the colour at a coordinate on synthetic block images, through the real
  /// byte prompt and byte answer, and answers held-out block images by greedy decoding far better
  /// than their mean colour (which is all a model that ignores position can do well).
  /// Disabled because it fails: issue 12's goal is not met by this design yet (measured in
  /// the full suite on 4 December 2026: RE 77.7 against the mean colour's 38 after 300 steps,
  /// mostly unparsable answers, 20 minutes in a debug build on the loaded machine;
  /// docs/training.md). Enable it when the design learns.
  @Test(.disabled("fails: the micro model does not learn the lookup in 300 steps (docs/training.md)"))
  func microModelLearnsTheColourAtACoordinate() throws {
    let config = NativeModelConfig.microAddressed
    let data = try BlockImages(blocks: [2], levels: 2, inputSize: config.imageSize)
    let model = TrainableVLM(config: config)
    let params = try model.makeParameters(from: NativeVLM.randomWeights(config: config, seed: 3))
    let steps = 300
    let trainer = Trainer(
      state: TrainingState(model: model, params: params), optimizer: AdamW(),
      schedule: CosineSchedule(peak: 5e-3, warmupSteps: 10, totalSteps: steps), clipNorm: 1, threads: 2)
    for step in 1...steps { try trainer.step(data.batch(step: step, images: 4, questions: 8, seed: 1)) }
    let vlm = try NativeVLM(config: config, weights: model.mergedWeights(params))
    var modelError = 0.0
    var meanError = 0.0
    var count = 0
    for index in 0..<6 {
      let (image, _, _) = data.image(seed: 777, step: 1, index: index)
      let item = data.batch(step: 1, images: index + 1, questions: 24, seed: 777)[index]
      var mean = [0.0, 0.0, 0.0]
      for p in 0..<(64 * 64) { for c in 0..<3 { mean[c] += Double(image.pixels[p * 3 + c]) / 4096 } }
      let answers = try vlm.answer(
        prefix: vlm.encodeImage(item.pixels), questions: item.examples.map(\.question), maxNewTokens: 16)
      for (example, answer) in zip(item.examples, answers) {
        let truth = try #require(AnswerParser.pixel(example.answer))
        let said = AnswerParser.pixel(answer) ?? (r: 255 - truth.r, g: 255 - truth.g, b: 255 - truth.b)
        let t = [Double(truth.r), Double(truth.g), Double(truth.b)]
        let s = [Double(said.r), Double(said.g), Double(said.b)]
        for c in 0..<3 {
          modelError += abs(s[c] - t[c]) / 255
          meanError += abs(mean[c] - t[c]) / 255
        }
        count += 3
      }
    }
    let (re, meanRE) = (100 * modelError / Double(count), 100 * meanError / Double(count))
    // Mean colour of 4 blocks of 0/255 channels: about 37; the model must find the block.
    #expect(meanRE > 25)
    #expect(re < 10, "RE \(re) against the mean colour's \(meanRE)")
  }
}
