import Foundation
public import Logging
public import Model

/// One training stage from start (or its last checkpoint) to its last step, then the merged
/// weights for inference.
public struct TrainingRun: Sendable {
  public struct Options: Sendable, Codable, Equatable {
    public var steps: Int
    public var imagesPerStep: Int
    public var questionsPerImage: Int
    public var learningRate: Float
    public var warmupSteps: Int
    public var minLearningRateRatio: Float = 0.1
    public var clipNorm: Float = 1
    public var weightDecay: Float = 0.01
    public var seed: UInt64
    public var threads: Int
    public var checkpointEvery: Int
    public var logEvery: Int

    public init(
      steps: Int, imagesPerStep: Int, questionsPerImage: Int, learningRate: Float, warmupSteps: Int,
      seed: UInt64, threads: Int, checkpointEvery: Int, logEvery: Int = 10
    ) {
      self.steps = steps
      self.imagesPerStep = imagesPerStep
      self.questionsPerImage = questionsPerImage
      self.learningRate = learningRate
      self.warmupSteps = warmupSteps
      self.seed = seed
      self.threads = threads
      self.checkpointEvery = checkpointEvery
      self.logEvery = logEvery
    }

    public func validate() throws(TrainingError) {
      let positive = [
        ("steps", steps), ("images per step", imagesPerStep), ("questions per image", questionsPerImage),
        ("threads", threads), ("checkpoint interval", checkpointEvery), ("log interval", logEvery),
      ]
      for (name, value) in positive where value <= 0 {
        throw TrainingError(.badOption, name, "must be positive, got \(value)")
      }
      guard learningRate > 0, learningRate.isFinite else {
        throw TrainingError(.badOption, "learning rate", "must be positive, got \(learningRate)")
      }
    }
  }

  /// What the run did, for reports.
  public struct Summary: Sendable {
    public var stepsRun: Int
    public var resumedFrom: Int
    public var finalLoss: Double
    public var seconds: Double
    public var answerTokens: Int
    public var images: Int
  }

  public let model: TrainableVLM
  public let options: Options
  public let checkpointPath: String

  public init(model: TrainableVLM, options: Options, checkpointPath: String) {
    self.model = model
    self.options = options
    self.checkpointPath = checkpointPath
  }

  /// Trains from `initial` weights (or from the checkpoint at `checkpointPath` when there is
  /// one), checkpointing every `checkpointEvery` steps and at the end. A NaN or infinite loss
  /// stops with an error naming the step and leaves the last good checkpoint in place.
  public func run(initial: NativeTensorStore, data: some TrainingData, logger: Logger) throws -> (
    TrainingState, Summary
  ) {
    try options.validate()
    let state = TrainingState(
      model: model, params: try model.makeParameters(from: initial, seed: options.seed))
    var resumedFrom = 0
    if FileManager.default.fileExists(atPath: checkpointPath) {
      try Checkpoint.restore(state, from: checkpointPath)
      resumedFrom = state.step
      logger.info(
        "resuming from checkpoint",
        metadata: ["checkpoint.path": "\(checkpointPath)", "checkpoint.step": "\(state.step)"])
    }
    let optimizer = AdamW(weightDecay: options.weightDecay)
    let schedule = CosineSchedule(
      peak: options.learningRate, warmupSteps: options.warmupSteps, totalSteps: options.steps,
      minRatio: options.minLearningRateRatio)
    let trainer = Trainer(
      state: state, optimizer: optimizer, schedule: schedule, clipNorm: options.clipNorm,
      threads: options.threads)
    let start = Date()
    var lossSum = 0.0
    var lossCount = 0
    var lastLoss = Double.nan
    var tokens = 0
    var images = 0
    while state.step < options.steps {
      let batch = data.batch(
        step: state.step + 1, images: options.imagesPerStep, questions: options.questionsPerImage,
        seed: options.seed)
      let report = try trainer.step(batch)
      lossSum += report.loss
      lossCount += 1
      tokens += report.answerTokens
      images += batch.count
      if report.step % options.logEvery == 0 || report.step == options.steps {
        lastLoss = lossSum / Double(lossCount)
        let elapsed = Date().timeIntervalSince(start)
        logger.info(
          "training progress",
          metadata: [
            "step": "\(report.step)", "loss": "\(String(format: "%.4f", lastLoss))",
            "lr": "\(String(format: "%.2e", report.learningRate))",
            "grad.norm": "\(String(format: "%.3f", report.gradientNorm))",
            "tokens.per.second": "\(Int(Double(tokens) / max(elapsed, 1e-9)))",
          ])
        lossSum = 0
        lossCount = 0
      }
      if report.step % options.checkpointEvery == 0 || report.step == options.steps {
        try Checkpoint.save(state, to: checkpointPath)
      }
    }
    let summary = Summary(
      stepsRun: state.step - resumedFrom, resumedFrom: resumedFrom, finalLoss: lastLoss,
      seconds: Date().timeIntervalSince(start), answerTokens: tokens, images: images)
    return (state, summary)
  }
}
