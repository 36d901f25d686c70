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
  @Option(
    help:
      "Synthetic block images (blocks per side, e.g. 2,4,8): the curriculum where only position predicts the answer."
  )
  var blocks: String?
  @Option(help: "Levels per channel of the block colours, evenly spaced over 0...255 (0: any value).")
  var blocksLevels: Int = 0
  @Option(help: "Share of each step's images that are block images when mixed with --job/--shards (0...1).")
  var blocksShare: Double = 0.25
  @Option(help: "Images per step.")
  var imagesPerStep: Int = 8
  @Option(help: "Questions per image.")
  var questionsPerImage: Int = 32
  @OptionGroup(title: "Stage") var stage: StageOptions

  func run() throws {
    try reportingErrors("pixelprobe-train train") {
      var logger = logging.makeLogger(label: "pixelprobe-train")
      logger.logLevel = min(logger.logLevel, .info)
      guard !job.isEmpty || !shards.isEmpty || blocks != nil else {
        throw ValidationError("give --job, --shards or --blocks")
      }
      let (initialWeights, config) = try stage.initialWeights()
      var blockImages: BlockImages?
      if let blocks {
        let sides = blocks.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sides.isEmpty, sides.allSatisfy({ $0 != nil }) else {
          throw ValidationError("--blocks \(blocks): expected comma-separated integers such as 2,4,8")
        }
        blockImages = try BlockImages(
          blocks: sides.map { $0! }, levels: blocksLevels, inputSize: config.imageSize)
      }
      if let blockImages, job.isEmpty, shards.isEmpty {
        NativeBLAS.threadCount = 1
        logger.info("training source", metadata: ["source": "block images \(blockImages.blocks)"])
        try stage.train(
          "pixelprobe-train train", data: blockImages, initial: initialWeights, config: config,
          imagesPerStep: imagesPerStep, questionsPerImage: questionsPerImage, logger: logger)
        return
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
      if let blockImages {
        logger.info(
          "training source",
          metadata: ["source": "block images \(blockImages.blocks)", "share": "\(blocksShare)"])
        try stage.train(
          "pixelprobe-train train", data: try MixedData(main: data, extra: blockImages, share: blocksShare),
          initial: initialWeights, config: config, imagesPerStep: imagesPerStep,
          questionsPerImage: questionsPerImage, logger: logger)
      } else {
        try stage.train(
          "pixelprobe-train train", data: data, initial: initialWeights, config: config,
          imagesPerStep: imagesPerStep, questionsPerImage: questionsPerImage, logger: logger)
      }
    }
  }
}
