import Foundation
import Model
import Testing

@testable import Training

@Suite struct TrainerTests {
  static func trainer(
    _ model: TrainableVLM, _ params: TensorBuffer, lr: Float = 3e-3, steps: Int = 100, threads: Int = 1
  ) -> Trainer {
    Trainer(
      state: TrainingState(model: model, params: params), optimizer: AdamW(),
      schedule: CosineSchedule(peak: lr, warmupSteps: 5, totalSteps: steps), clipNorm: 1, threads: threads)
  }

  static let items = [
    TrainingItem(pixels: Fixture.pixels(seed: 1), examples: Array(Fixture.examples[0..<2])),
    TrainingItem(pixels: Fixture.pixels(seed: 2), examples: Array(Fixture.examples[1..<3])),
    TrainingItem(pixels: Fixture.pixels(seed: 3), examples: [Fixture.examples[2]]),
  ]

  /// The micro model memorises the answers about one image: the mean answer-token loss falls
  /// from about ln(259) = 5.6 to below 0.1 in 60 steps (a few seconds in a debug build).
  @Test func overfitsOneImage() throws {
    let model = TrainableVLM(config: Fixture.config)
    let params = try model.makeParameters(from: NativeVLM.randomWeights(config: Fixture.config, seed: 5))
    let trainer = Self.trainer(model, params, lr: 2e-2, steps: 60)
    let item = TrainingItem(pixels: Fixture.pixels(), examples: Array(Fixture.examples[0..<2]))
    let first = try trainer.step([item])
    #expect(abs(first.loss - log(259)) < 0.2)
    var last = first
    for _ in 1..<60 { last = try trainer.step([item]) }
    #expect(last.loss < 0.1)
  }

  /// Frozen tensors (the encoder, and the LM's adapted base weights) stay bit-identical; the
  /// connector, the adapters and the LM's other tensors move.
  @Test func freezingFreezes() throws {
    let (model, params) = Fixture.model(lora: LoRAConfig(rank: 2), parts: [.connector, .lm])
    let before = TensorBuffer(model.layout)
    before.copy(from: params)
    let trainer = Self.trainer(model, params)
    for _ in 0..<3 { try trainer.step(Self.items) }
    for slot in model.layout.slots {
      let same = before.values(slot.name) == params.values(slot.name)
      let frozen =
        slot.name.hasPrefix("vision.")
        || (slot.name.hasPrefix("lm.blocks.")
          && [".attn.qkv.", ".attn.proj.", ".mlp.fc1.", ".mlp.fc2."].contains { slot.name.contains($0) }
          && !slot.name.contains(".lora_"))
      #expect(same == frozen, "\(slot.name): unchanged \(same), frozen \(frozen)")
    }
  }

  /// Two steps, a checkpoint, a fresh state restored from it and two more steps give exactly the
  /// parameters of four uninterrupted steps (two threads, so the reduction order is fixed too).
  @Test func resumeGivesTheSameNextSteps() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID()).safetensors")
      .path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (model, start) = Fixture.model(lora: LoRAConfig(rank: 2))
    let straight = TensorBuffer(model.layout)
    straight.copy(from: start)
    let a = Self.trainer(model, straight, threads: 2)
    for _ in 0..<4 { try a.step(Self.items) }

    let first = TensorBuffer(model.layout)
    first.copy(from: start)
    let b = Self.trainer(model, first, threads: 2)
    for _ in 0..<2 { try b.step(Self.items) }
    try Checkpoint.save(b.state, to: path)
    let resumed = TensorBuffer(model.layout)
    let c = Self.trainer(model, resumed, threads: 2)
    try Checkpoint.restore(c.state, from: path)
    #expect(c.state.step == 2)
    for _ in 0..<2 { try c.step(Self.items) }
    #expect(c.state.step == 4)
    for slot in model.layout.slots {
      #expect(straight.values(slot.name) == resumed.values(slot.name), "\(slot.name)")
    }
  }

  /// Merged weights (`W + scale B A`) loaded by the inference model give the training model's
  /// logits with the adapters unmerged.
  @Test func mergedLoRAMatchesUnmerged() throws {
    let (model, params) = Fixture.model(lora: LoRAConfig(rank: 3, alpha: 6))
    let vlm = try NativeVLM(config: model.config, weights: model.mergedWeights(params))
    let grads = TensorBuffer(model.layout)
    let example = Fixture.examples[0]
    let group = try SequenceGroup([example], config: model.config)
    let tape = ModelTape(visionLayers: model.config.visionLayers, lmLayers: model.config.lmLayers)
    let access = ParameterAccess(params: params.base, grads: grads.base)
    let pixels = Fixture.pixels()
    let vocabulary = model.config.vocabularySize
    let logits = pixels.withUnsafeBufferPointer { p in
      let hidden = model.lmForward(access, pixels: p.baseAddress!, group: group, tape: tape)
      let out = model.scoredLogits(access, hidden: hidden, group: group, tape: tape)
      return Array(UnsafeBufferPointer(start: out, count: vocabulary))
    }
    let expected = try vlm.referenceLogits(pixels: pixels, question: example.question)
    let worst = zip(logits, expected).map { abs($0 - $1) }.max()!
    #expect(worst < 1e-3)
    // The adapters are not a no-op here: without them the logits differ.
    let base = try NativeVLM(config: model.config, weights: params.store { !$0.contains(".lora_") })
    let plain = try base.referenceLogits(pixels: pixels, question: example.question)
    #expect(zip(plain, expected).map { abs($0 - $1) }.max()! > 1e-2)
  }

  /// A NaN in the parameters makes the step fail, naming it, before anything changes; the last
  /// checkpoint still holds the good state.
  @Test func nonFiniteLossStopsTheStep() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("nan-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (model, params) = Fixture.model()
    let trainer = Self.trainer(model, params)
    try trainer.step(Self.items)
    try Checkpoint.save(trainer.state, to: path)
    let good = params.values("lm.head.weight")
    let offset = model.layout.offset("connector.proj.weight")
    params.base[offset] = .nan
    let error = #expect(throws: TrainingError.self) { try trainer.step(Self.items) }
    #expect(error?.code == .nonFinite)
    #expect(error?.context == "step 2")
    #expect(trainer.state.step == 1)
    #expect(params.values("lm.head.weight") == good)
    let restored = TrainingState(model: model, params: TensorBuffer(model.layout))
    try Checkpoint.restore(restored, from: path)
    #expect(restored.step == 1)
    #expect(restored.params.values("lm.head.weight") == good)
    #expect(restored.params.base[offset].isFinite)
  }
}
