import Model

@testable import Training

/// Small fixtures shared by the training tests.
enum Fixture {
  static let config = NativeModelConfig.micro

  /// Deterministic pseudo-random values in about [-1, 1].
  static func values(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var random = TrainingRandom(seed: seed)
    return (0..<count).map { _ in Float(random.uniform(-1...1)) * scale }
  }

  static func pixels(seed: UInt64 = 7) -> [Float] {
    values(3 * config.imageSize * config.imageSize, seed: seed, scale: 1.5)
  }

  static let examples = [
    PromptExample(question: "[reconstruct] loc: [1,2] rgb: ", answer: "[10,200,3]"),
    PromptExample(question: "[reconstruct] loc: [11,0] rgb: ", answer: "[0,5,77]"),
    PromptExample(question: "[reconstruct] loc: [3,14] rgb: ", answer: "[255,255,255]"),
  ]

  /// A model with random weights (larger than the init's 0.02 so gradients are not tiny), and
  /// LoRA adapters whose B is non-zero when `lora` is set.
  static func model(
    lora: LoRAConfig? = nil, parts: TrainableParts = .all, seed: UInt64 = 3,
    config: NativeModelConfig = config
  )
    -> (TrainableVLM, TensorBuffer)
  {
    let model = TrainableVLM(config: config, lora: lora, parts: parts)
    let store = NativeVLM.randomWeights(config: config, seed: seed, std: 0.2)
    let params = try! model.makeParameters(from: store, seed: seed)
    for slot in model.layout.slots where slot.name.hasSuffix(".lora_b") {
      params.set(slot.name, values(slot.count, seed: UInt64(slot.offset), scale: 0.1))
    }
    return (model, params)
  }
}
