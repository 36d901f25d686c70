import ArgumentParser
import CommandSupport
import Foundation
import Logging
import Model
import Training

struct ImitateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "imitate",
    abstract: "Imitation on gen-game output: the native model learns to answer the expert's action.",
    discussion: """
      Data: --job ID (finished gen-game jobs, repeatable) or --shards FILE... (GOBS output shard \
      files). Every example is one observation: its stacked frames (the visual tokens of each \
      frame in order, as play-game feeds them), the question stored with it, and the expert's \
      action number as the answer (loss on the answer and EOS). Enqueue gen-game with the \
      --instruction that play-game will use: the question is taken as stored. --holdout-job \
      scores the trained weights on another gen-game job's observations (greedy answers against \
      the expert's actions, and against always answering the most frequent training action). \
      The paper fine-tunes with the vision encoder frozen: keep --parts connector,lm.
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Option(help: "gen-game job ids (repeatable).")
  var job: [Int64] = []
  @Option(help: "gen-game output shard files (instead of --job).")
  var shards: [String] = []
  @Option(help: "Observations per step.")
  var examplesPerStep: Int = 16
  @Option(help: "A gen-game job to score the trained weights on (held-out observations).")
  var holdoutJob: Int64?
  @Option(help: "Held-out observations to score, evenly spaced over the job.")
  var holdoutCount: Int = 500
  @OptionGroup(title: "Stage") var stage: StageOptions

  func validate() throws {
    guard !job.isEmpty || !shards.isEmpty else { throw ValidationError("give --job or --shards") }
    guard examplesPerStep > 0 else { throw ValidationError("--examples-per-step must be positive") }
    guard holdoutCount > 0 else { throw ValidationError("--holdout-count must be positive") }
  }

  func run() throws {
    try reportingErrors("pixelprobe-train imitate") {
      var logger = logging.makeLogger(label: "pixelprobe-train")
      logger.logLevel = min(logger.logLevel, .info)
      let (initialWeights, config) = try stage.initialWeights()
      NativeBLAS.threadCount = 1
      let data =
        job.isEmpty
        ? try GameSource.shardFiles(shards, imageSize: config.imageSize)
        : try GameSource.jobs(
          job, databaseURL: database.resolved, imageSize: config.imageSize, logger: logger)
      let counts = data.actionCounts
      logger.info(
        "training source",
        metadata: [
          "source": "\(data.name)", "observations": "\(data.observations.count)",
          "frames.distinct": "\(data.frames.count)",
          "actions": "\(zip(data.actions, counts).map { "\($0)=\($1)" }.joined(separator: " "))",
          "action.entropy.nats": "\(String(format: "%.4f", data.actionEntropy))",
        ])
      let longest = data.observations.map {
        config.prefixLength(frames: $0.frames.count) + NativePrompt.questionTokens($0.question).count + 2
      }.max()!
      guard longest <= config.maxPositions else {
        throw TrainingError(
          .tooLong, data.name,
          "frames and question take \(longest) positions with the answer, the model has \(config.maxPositions); enqueue gen-game with a shorter --instruction (brief or none)"
        )
      }
      // Read before training, so that a wrong held-out job fails now, not after it.
      let heldOut = try holdoutJob.map {
        try GameSource.jobs([$0], databaseURL: database.resolved, imageSize: config.imageSize, logger: logger)
      }
      try stage.train(
        "pixelprobe-train imitate", data: data, initial: initialWeights, config: config,
        imagesPerStep: examplesPerStep, questionsPerImage: 1, logger: logger)
      guard let heldOut else { return }
      let majority = data.majorityAction
      // The weights as play-game loads them (`native:` URI, its default answer length).
      guard let model = try ModelFactory.make("native:\(stage.out)") as? any MultiImageModel else {
        throw TrainingError(.badOption, "--out", "\(stage.out) does not load as a native: model")
      }
      let score = try ImitationScore.measure(
        model, heldOut: heldOut, majorityAction: majority, limit: holdoutCount)
      print(
        "held-out \(heldOut.name): \(score.observations) observations, expert's action answered "
          + "\(String(format: "%.1f", 100 * score.accuracy))% (always \(data.actions[majority]): "
          + "\(String(format: "%.1f", 100 * score.majorityAccuracy))%), unparsable \(score.unparsable), answers "
          + zip(heldOut.actions, score.answered).map { "\($0)=\($1)" }.joined(separator: " "))
    }
  }
}
