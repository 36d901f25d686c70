import Foundation
import Imaging
import Logging
import Model
import Shards
import Testing

@testable import Training

@Suite struct PVPMixtureTests {
  /// A directory with two small PNG images and a gen-pvp output shard file about them.
  static func corpus() throws -> (root: String, shard: String) {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("pvp-\(UUID())").path
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    var writer = try ShardWriter(kind: .pvpOutput)
    for (n, name) in ["a.png", "b.png"].enumerated() {
      let pixels = (0..<(16 * 16 * 3)).map { UInt8(truncatingIfNeeded: $0 * (n + 3)) }
      let image = RGBImage(width: 16, height: 16, pixels: pixels)
      try Data(try PNGEncoder.encode(image)).write(to: URL(fileURLWithPath: "\(root)/\(name)"))
      let answers = (0..<6).map { i in
        PVPAnswer(
          index: UInt64(n * 6 + i), row: UInt16(i), col: UInt16(2 * i), r: UInt8(i), g: 10, b: UInt8(200 + n))
      }
      try writer.append(PVPImageAnswers(image: name, imageID: -1, answers: answers))
    }
    let shard = "\(root)/output.shard"
    try Data(try writer.finish().bytes).write(to: URL(fileURLWithPath: shard))
    return (root, shard)
  }

  @Test func batchesComeFromTheShardsInThePaperFormat() throws {
    let (root, shard) = try Self.corpus()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let source = try PVPSource.shardFiles([shard], imageRoot: root, locOrder: .yx)
    #expect(source.images.map(\.path) == ["\(root)/a.png", "\(root)/b.png"])
    #expect(source.questionCount == 12)
    let mixture = try PVPMixture(sources: [(source, 1)], imageSize: 16)
    let batch = mixture.batch(step: 3, images: 4, questions: 4, seed: 9)
    #expect(batch.count == 4)
    // Same (seed, step), same batch.
    #expect(mixture.batch(step: 3, images: 4, questions: 4, seed: 9).map(\.examples) == batch.map(\.examples))
    for item in batch {
      #expect(item.examples.count == 4)
      #expect(Set(item.examples).count == 4)
      for example in item.examples {
        #expect(example.question.hasPrefix("[reconstruct] loc: ["))
        #expect(example.answer.hasPrefix("[") && example.answer.hasSuffix("]"))
      }
    }
    // The model input is the file resized and CLIP-normalised, as the native backend makes it.
    let backend = try NativeModel(uri: ModelURI(parsing: "native:random?size=micro"))
    let decoded = try ImageDecoder.decodeFile(atPath: "\(root)/a.png")
    #expect(mixture.pixels[0][0] == backend.pixels(decoded))
  }

  @Test func sourcesAreDrawnInProportionToTheirWeights() throws {
    let (root, shard) = try Self.corpus()
    defer { try? FileManager.default.removeItem(atPath: root) }
    var a = try PVPSource.shardFiles([shard], imageRoot: root, locOrder: .yx)
    a.name = "a"
    var b = a
    b.name = "b"
    b.locOrder = .xy
    let mixture = try PVPMixture(sources: [(a, 3), (b, 1)], imageSize: 16)
    var fromA = 0
    var total = 0
    for step in 1...200 {
      for item in mixture.batch(step: step, images: 5, questions: 1, seed: 1) {
        // Source b asks x first: its question for (row i, col 2i) reads "[2i,i]".
        let example = item.examples[0]
        let answerRow = Int(example.answer.split(separator: ",")[0].dropFirst())!
        let yx = TaskFormat.pixelQuestion(row: answerRow, col: 2 * answerRow, order: .yx)
        if example.question == yx { fromA += 1 }
        total += 1
      }
    }
    // Row 0 asks "[0,0]" either way; it is 1/6 of b's questions, so expect 0.75 + 0.25/6.
    let share = Double(fromA) / Double(total)
    #expect(abs(share - (0.75 + 0.25 / 6)) < 0.04)
  }

  @Test func aRunResumesFromItsCheckpoint() throws {
    let (root, shard) = try Self.corpus()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let source = try PVPSource.shardFiles([shard], imageRoot: root, locOrder: .yx)
    let mixture = try PVPMixture(sources: [(source, 1)], imageSize: 16)
    let model = TrainableVLM(config: Fixture.config, lora: LoRAConfig(rank: 2), parts: [.connector, .lm])
    let initial = NativeVLM.randomWeights(config: Fixture.config, seed: 2)
    let checkpoint = "\(root)/run.checkpoint"
    var options = TrainingRun.Options(
      steps: 4, imagesPerStep: 2, questionsPerImage: 3, learningRate: 1e-3, warmupSteps: 1, seed: 4,
      threads: 2,
      checkpointEvery: 2)
    let logger = Logger(label: "test")
    let (first, summary) = try TrainingRun(model: model, options: options, checkpointPath: checkpoint)
      .run(initial: initial, data: mixture, logger: logger)
    #expect(summary.stepsRun == 4 && summary.resumedFrom == 0)
    #expect(FileManager.default.fileExists(atPath: checkpoint))
    options.steps = 6
    let (second, resumed) = try TrainingRun(model: model, options: options, checkpointPath: checkpoint)
      .run(initial: initial, data: mixture, logger: logger)
    #expect(resumed.resumedFrom == 4 && resumed.stepsRun == 2)
    #expect(second.step == 6)
    #expect(first.params.values("lm.head.weight") != second.params.values("lm.head.weight"))
  }
}
