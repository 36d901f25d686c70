import ArgumentParser
import CommandSupport
import Foundation
import Logging
import Model
import Training

struct TrainStageCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "One training stage on gen-pvp output: resumes from its checkpoint, writes merged weights.",
    discussion: """
      Data: --job ID (a finished gen-pvp job, read from the database; repeat to mix tasks, with \
      --weight per job) or --shards FILE... with --image-root. Freezing: --parts lists what trains \
      (vision, connector, lm). --lora-rank R puts adapters on the LM's projections (their base \
      weights frozen; embeddings, norms and head still train); 0 trains the LM fully.
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Option(help: "gen-pvp job ids (repeatable).")
  var job: [Int64] = []
  @Option(help: "Sampling weight per --job, in order (default 1 each).")
  var weight: [Double] = []
  @Option(help: "gen-pvp output shard files (instead of --job).")
  var shards: [String] = []
  @Option(help: "Directory the shard files' image paths are relative to.")
  var imageRoot: String?
  @Option(help: "Coordinate order of the shard files' questions: yx or xy.")
  var locOrder: String = "yx"
  @Option(help: "Initial weights (safetensors); without it, random weights of --size.")
  var initial: String?
  @Option(help: "Model preset when there are no initial weights.")
  var size: String = "tiny"
  @Option(help: "Trained parts: any of vision,connector,lm.")
  var parts: String = "connector,lm"
  @Option(help: "LoRA rank on the LM projections (0: train the LM fully).")
  var loraRank: Int = 0
  @Option(help: "Steps.")
  var steps: Int
  @Option(help: "Images per step.")
  var imagesPerStep: Int = 8
  @Option(help: "Questions per image.")
  var questionsPerImage: Int = 32
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

  func run() throws {
    try reportingErrors("pixelprobe-train train") {
      var logger = logging.makeLogger(label: "pixelprobe-train")
      logger.logLevel = min(logger.logLevel, .info)
      guard let trained = TrainableParts(parsing: parts) else {
        throw ValidationError("bad --parts \(parts)")
      }
      guard !job.isEmpty || !shards.isEmpty else { throw ValidationError("give --job or --shards") }
      let initialWeights: NativeTensorStore
      let config: NativeModelConfig
      if let initial {
        let vlm = try NativeVLM.load(path: initial)
        (initialWeights, config) = (vlm.weights, vlm.config)
      } else {
        guard let preset = NativeModelConfig.presets[size] else {
          throw ValidationError("unknown --size \(size)")
        }
        (initialWeights, config) = (NativeVLM.randomWeights(config: preset, seed: seed), preset)
      }
      NativeBLAS.threadCount = 1
      var sources: [(PVPSource, weight: Double)] = []
      for (i, id) in job.enumerated() {
        sources.append(
          (
            try PVPSource.job(id, databaseURL: database.resolved, logger: logger),
            i < weight.count ? weight[i] : 1
          ))
      }
      if !shards.isEmpty {
        guard let imageRoot else { throw ValidationError("--shards needs --image-root") }
        guard let order = LocOrder(rawValue: locOrder) else {
          throw ValidationError("bad --loc-order \(locOrder)")
        }
        sources.append((try PVPSource.shardFiles(shards, imageRoot: imageRoot, locOrder: order), 1))
      }
      for (source, weight) in sources {
        logger.info(
          "training source",
          metadata: [
            "source": "\(source.name)", "images": "\(source.images.count)",
            "questions": "\(source.questionCount)",
            "weight": "\(weight)",
          ])
      }
      let data = try PVPMixture(sources: sources, imageSize: config.imageSize)
      let model = TrainableVLM(
        config: config, lora: loraRank > 0 ? LoRAConfig(rank: loraRank) : nil, parts: trained)
      var options = TrainingRun.Options(
        steps: steps, imagesPerStep: imagesPerStep, questionsPerImage: questionsPerImage, learningRate: lr,
        warmupSteps: warmup, seed: seed, threads: threads, checkpointEvery: checkpointEvery,
        logEvery: logEvery)
      options.clipNorm = 1
      let run = TrainingRun(model: model, options: options, checkpointPath: checkpoint)
      let (state, summary) = try run.run(initial: initialWeights, data: data, logger: logger)
      try NativeVLM(config: config, weights: model.mergedWeights(state.params)).save(path: out)
      printError(
        "pixelprobe-train: \(summary.stepsRun) steps (resumed at \(summary.resumedFrom)) in \(Int(summary.seconds)) s, "
          + "\(Int(Double(summary.answerTokens) / max(summary.seconds, 1e-9))) answer tokens/s, "
          + "\(String(format: "%.2f", Double(summary.images) / max(summary.seconds, 1e-9))) images/s, "
          + "last loss \(String(format: "%.4f", summary.finalLoss)); weights in \(out)")
    }
  }
}
