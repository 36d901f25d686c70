import Foundation
import Imaging
import Model
import Shards
import Testing

@testable import Training

/// Imitation data from GOBS shards, and imitation itself on a game whose right action is
/// written in the frames' colour.
@Suite struct GameSourceTests {
  /// A solid frame of one colour, 24 x 20 (not the model's input size, so it is resized).
  static func frame(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> RGBImage {
    RGBImage(width: 24, height: 20, pixels: [UInt8]((0..<(24 * 20)).flatMap { _ in [r, g, b] }))
  }

  /// A GOBS shard file of `records` (frames given as images), returning its path.
  static func shardFile(_ records: [(episode: Int, step: Int, frames: [RGBImage], action: Int)]) throws
    -> String
  {
    var writer = try ShardWriter(kind: .gameObservation)
    let names = ["NOOP", "RIGHT", "LEFT", "GAS", "BRAKE"]
    for record in records {
      try writer.append(
        GameObservationRecord(
          episode: record.episode, step: record.step, frames: try record.frames.map(PNGEncoder.encode),
          question: "[carracing] choose an action from Action Space: ", action: record.action,
          actionName: names[record.action]))
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gobs-\(UUID()).shard").path
    try Data(try writer.finish().bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func readsObservationsAndKeepsEachFrameOnce() throws {
    let (red, green, blue) = (Self.frame(200, 10, 10), Self.frame(10, 200, 10), Self.frame(10, 10, 200))
    let path = try Self.shardFile([
      (0, 0, [red, red], 3), (0, 1, [red, green], 3), (0, 2, [green, blue], 1), (0, 3, [blue, blue], 2),
    ])
    defer { try? FileManager.default.removeItem(atPath: path) }
    let source = try GameSource.shardFiles([path], imageSize: 16)
    #expect(source.observations.count == 4)
    #expect(source.frames.count == 3)
    #expect(source.observations.map(\.frames) == [[0, 0], [0, 1], [1, 2], [2, 2]])
    #expect(source.observations.map(\.action) == [3, 3, 1, 2])
    #expect(source.actions == ["0", "RIGHT", "LEFT", "GAS"])
    #expect(source.actionCounts == [0, 1, 1, 2])
    // -(1/4 ln 1/4) x 2 - 1/2 ln 1/2
    #expect(abs(source.actionEntropy - (0.5 * log(4.0) + 0.5 * log(2.0))) < 1e-12)
    // A solid frame stays solid when resized: every value is the colour, CLIP-normalised.
    let item = source.item(source.observations[1])
    #expect(item.frames == 2)
    #expect(
      item.examples == [
        PromptExample(question: "[carracing] choose an action from Action Space: ", answer: "3")
      ])
    let plane = 16 * 16
    #expect(item.pixels.count == 2 * 3 * plane)
    let expectedRed = (Float(200) / 255 - ModelInput.mean[0]) / ModelInput.std[0]
    let expectedGreen = (Float(200) / 255 - ModelInput.mean[1]) / ModelInput.std[1]
    #expect(abs(item.pixels[5] - expectedRed) < 1e-5)
    #expect(abs(item.pixels[3 * plane + plane + 9] - expectedGreen) < 1e-5)
    // Batches are a function of (seed, step).
    let one = source.batch(step: 4, images: 6, questions: 1, seed: 9).map(\.examples)
    #expect(one == source.batch(step: 4, images: 6, questions: 1, seed: 9).map(\.examples))
  }

  @Test func refusesOtherShardsAndEmptyData() throws {
    var writer = try ShardWriter(kind: .gameEpisode)
    try writer.append(GameEpisodeInput(episode: 0, seed: 1))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gepi-\(UUID()).shard").path
    try Data(try writer.finish().bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let error = #expect(throws: TrainingError.self) { try GameSource.shardFiles([path], imageSize: 16) }
    #expect(error?.code == .badData)
    #expect(error?.context == path)
    let empty = try Self.shardFile([])
    defer { try? FileManager.default.removeItem(atPath: empty) }
    #expect(throws: TrainingError.self) { try GameSource.shardFiles([empty], imageSize: 16) }
  }

  /// The expert's action depends only on the newest frame's colour (red: RIGHT, blue: LEFT,
  /// green: GAS) and the older frame is noise. The micro model, connector and LM trained with
  /// the encoder frozen, learns it: on held-out stacks it answers the expert's action every
  /// time, where always answering the most frequent action gets at most half right.
  @Test func imitationLearnsTheActionFromTheFrames() throws {
    let colours: [(RGBImage, Int)] = [
      (Self.frame(220, 20, 20), 1), (Self.frame(20, 20, 220), 2), (Self.frame(20, 220, 20), 3),
    ]
    func records(_ count: Int, seed: UInt64) -> [(Int, Int, [RGBImage], Int)] {
      var random = TrainingRandom(seed: seed)
      return (0..<count).map { i in
        let (newest, action) = colours[random.below(3)]
        let older = colours[random.below(3)].0
        return (i, 0, [older, newest], action)
      }
    }
    let train = try Self.shardFile(records(24, seed: 1).map { ($0.0, $0.1, $0.2, $0.3) })
    let test = try Self.shardFile(records(12, seed: 2).map { ($0.0, $0.1, $0.2, $0.3) })
    defer {
      try? FileManager.default.removeItem(atPath: train)
      try? FileManager.default.removeItem(atPath: test)
    }
    let config = Fixture.config
    let data = try GameSource.shardFiles([train], imageSize: config.imageSize)
    let heldOut = try GameSource.shardFiles([test], imageSize: config.imageSize)
    let model = TrainableVLM(config: config, parts: [.connector, .lm])
    let store = NativeVLM.randomWeights(config: config, seed: 4)
    let state = TrainingState(model: model, params: try model.makeParameters(from: store))
    let steps = 80
    let trainer = Trainer(
      state: state, optimizer: AdamW(),
      schedule: CosineSchedule(peak: 3e-2, warmupSteps: 5, totalSteps: steps))
    var last = try trainer.step(data.batch(step: 1, images: 8, questions: 1, seed: 3))
    let first = last
    for step in 2...steps {
      last = try trainer.step(data.batch(step: step, images: 8, questions: 1, seed: 3))
    }
    #expect(last.loss < first.loss / 10)
    let counts = data.actionCounts
    let majority = counts.indices.max { counts[$0] < counts[$1] }!
    #expect(data.majorityAction == majority)
    // Scored through the `native:` backend, as play-game would load the weights.
    let weights = FileManager.default.temporaryDirectory.appendingPathComponent(
      "imitated-\(UUID()).safetensors"
    )
    .path
    defer { try? FileManager.default.removeItem(atPath: weights) }
    try NativeVLM(config: config, weights: model.mergedWeights(state.params)).save(path: weights)
    let trained = try NativeModel(uri: ModelURI(parsing: "native:\(weights)"))
    let score = try ImitationScore.measure(trained, heldOut: heldOut, majorityAction: majority, limit: 100)
    #expect(score.observations == 12)
    #expect(score.unparsable == 0)
    #expect(score.correct == 12)
    #expect(score.majorityAccuracy < 0.75)
    #expect(score.answered.reduce(0, +) == 12)
  }
}
