import Foundation
import Model
import Shards
import Testing

@testable import Training

@Suite struct CheckpointTests {
  static func temporary(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID())").path
  }

  @Test func checkpointOfAnotherConfigurationIsRejected() throws {
    let path = Self.temporary("other.safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (model, params) = Fixture.model(lora: LoRAConfig(rank: 2))
    try Checkpoint.save(TrainingState(model: model, params: params), to: path)
    var other = Fixture.config
    other.lmLayers = 1
    let otherModel = TrainableVLM(config: other, lora: LoRAConfig(rank: 2))
    let error = #expect(throws: TrainingError.self) {
      try Checkpoint.restore(
        TrainingState(model: otherModel, params: TensorBuffer(otherModel.layout)), from: path)
    }
    #expect(error?.code == .configMismatch)
    #expect(error?.context == path)
    // A different adapter rank is a mismatch too.
    let rank4 = TrainableVLM(config: Fixture.config, lora: LoRAConfig(rank: 4))
    let rankError = #expect(throws: TrainingError.self) {
      try Checkpoint.restore(TrainingState(model: rank4, params: TensorBuffer(rank4.layout)), from: path)
    }
    #expect(rankError?.code == .configMismatch)
  }

  @Test func corruptedFilesAreRejectedNamingTheFile() throws {
    let path = Self.temporary("corrupt.safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (model, params) = Fixture.model()
    try Checkpoint.save(TrainingState(model: model, params: params), to: path)
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    bytes = bytes.prefix(bytes.count / 2)
    try bytes.write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: TrainingError.self) {
      try Checkpoint.restore(TrainingState(model: model, params: TensorBuffer(model.layout)), from: path)
    }
    #expect(error?.code == .badCheckpoint)
    #expect(error?.context == path)
    // Inference weights that are not a checkpoint are not mistaken for one.
    try NativeVLM(config: model.config, weights: model.mergedWeights(params)).save(path: path)
    let formatError = #expect(throws: TrainingError.self) {
      try Checkpoint.restore(TrainingState(model: model, params: TensorBuffer(model.layout)), from: path)
    }
    #expect(formatError?.code == .badCheckpoint)
  }

  @Test func shardOfTheWrongKindIsRejected() throws {
    let path = Self.temporary("input.shard")
    defer { try? FileManager.default.removeItem(atPath: path) }
    var writer = try ShardWriter(kind: .pvpInput)
    try writer.append(
      PVPImageQuestions(image: "a.png", imageID: -1, questions: [.init(index: 0, row: 1, col: 2)]))
    try Data(try writer.finish().bytes).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: TrainingError.self) {
      try PVPSource.shardFiles([path], imageRoot: "/tmp", locOrder: .yx)
    }
    #expect(error?.code == .badData)
    #expect(error?.context == path)
  }
}
