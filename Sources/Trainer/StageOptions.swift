import ArgumentParser
import CommandSupport
import Logging
import Model
import Training

/// What every training stage takes whatever its data: the starting weights, what trains, the
/// schedule, threads, the checkpoint and the merged weights written at the end.
struct StageOptions: ParsableArguments {
  @Option(help: "Initial weights (safetensors); without it, random weights of --size.")
  var initial: String?
  @Option(help: "Model preset when there are no initial weights.")
  var size: String = "tiny"
  @Option(
    help: ArgumentHelp(
      "Preset to train instead of --initial's own config (e.g. tiny-addressed from a tiny encoder).",
      discussion:
        "Tensors of --initial with the same name and shape are kept; the rest are drawn from --seed."))
  var architecture: String?
  @Option(help: "Trained parts: any of vision,connector,lm.")
  var parts: TrainableParts = [.connector, .lm]
  @Option(help: "LoRA rank on the LM projections (0: train the LM fully).")
  var loraRank: Int = 0
  @Option(help: "Steps.")
  var steps: Int
  @Option(help: "Peak learning rate.")
  var lr: Float = 1e-3
  @Option(help: "Warm-up steps.")
  var warmup: Int = 20
  @Option(help: "Threads.")
  var threads: Int = 2
  @Option(help: "Seed (data order, adapters).")
  var seed: UInt64 = 1
  @Option(help: "Checkpoint file (resumed when it exists).")
  var checkpoint: String
  @Option(help: "Steps between checkpoints.")
  var checkpointEvery: Int = 50
  @Option(help: "Steps between progress lines.")
  var logEvery: Int = 10
  @Option(help: "Where to write the merged weights for inference (loadable as native:PATH).")
  var out: String

  func validate() throws {
    guard initial != nil || NativeModelConfig.presets[size] != nil else {
      throw ValidationError("unknown --size \(size)")
    }
    if let architecture, NativeModelConfig.presets[architecture] == nil {
      throw ValidationError(
        "unknown --architecture \(architecture) (known: \(NativeModelConfig.presets.keys.sorted().joined(separator: ", ")))"
      )
    }
  }

  /// The starting weights and their configuration (random weights of `--size` without
  /// `--initial`).
  func initialWeights() throws -> (NativeTensorStore, NativeModelConfig) {
    if let initial {
      let vlm = try NativeVLM.load(path: initial)
      guard let architecture, let target = NativeModelConfig.presets[architecture], target != vlm.config
      else {
        return (vlm.weights, vlm.config)
      }
      return (try NativeVLM.adopt(vlm.weights, into: target, seed: seed, file: initial), target)
    }
    guard let preset = NativeModelConfig.presets[size] else {
      throw ValidationError("unknown --size \(size)")
    }
    return (NativeVLM.randomWeights(config: preset, seed: seed), preset)
  }

  /// Runs the stage on `data` from `initial` and writes the merged weights to `--out`; prints
  /// a one-line summary for `command`.
  func train(
    _ command: String, data: some TrainingData, initial: NativeTensorStore, config: NativeModelConfig,
    imagesPerStep: Int, questionsPerImage: Int, logger: Logger
  ) throws {
    let model = TrainableVLM(
      config: config, lora: loraRank > 0 ? LoRAConfig(rank: loraRank) : nil, parts: parts)
    var options = TrainingRun.Options(
      steps: steps, imagesPerStep: imagesPerStep, questionsPerImage: questionsPerImage, learningRate: lr,
      warmupSteps: warmup, seed: seed, threads: threads, checkpointEvery: checkpointEvery,
      logEvery: logEvery)
    options.clipNorm = 1
    let run = TrainingRun(model: model, options: options, checkpointPath: checkpoint)
    let (state, summary) = try run.run(initial: initial, data: data, logger: logger)
    try NativeVLM(config: config, weights: model.mergedWeights(state.params)).save(path: out)
    printError(
      "\(command): \(summary.stepsRun) steps (resumed at \(summary.resumedFrom)) in \(Int(summary.seconds)) s, "
        + "\(Int(Double(summary.answerTokens) / max(summary.seconds, 1e-9))) answer tokens/s, "
        + "\(String(format: "%.2f", Double(summary.images) / max(summary.seconds, 1e-9))) images/s, "
        + "last loss \(String(format: "%.4f", summary.finalLoss)); weights in \(out)")
  }
}
