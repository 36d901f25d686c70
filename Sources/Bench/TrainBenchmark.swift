import ArgumentParser
import Foundation
import Model
import Training

/// `pixelprobe-bench train`: training throughput of the native model (answer tokens/s and
/// images/s) on synthetic PVP batches, encoder frozen (stage 1) and adapted (stage 2). The peer
/// is `bench/torch_train.py` (the same architecture, batch and shared-prefix layout in PyTorch).
struct TrainBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Training steps per second of the native model (forward, backward, AdamW).")

  @Option(help: "Model preset (tiny, small, micro).")
  var preset = "tiny"
  @Option(help: "Images per step.")
  var images = 8
  @Option(help: "Questions per image.")
  var questions = 32
  @Option(help: "LoRA rank on the LM projections (0: full LM).")
  var loraRank = 32
  @Option(help: "Timed steps per setting.")
  var steps = 10
  @Option(help: "Thread counts to measure (repeatable).")
  var threads: [Int] = [1, 2]

  func run() throws {
    guard let config = NativeModelConfig.presets[preset] else {
      throw ValidationError("unknown preset \(preset)")
    }
    NativeBLAS.threadCount = 1
    print("model: \(preset), openblas: \(NativeBLAS.configuration)")
    print("batch: \(images) images x \(questions) PVP questions, LoRA rank \(loraRank) on the LM projections")
    var random = TrainingRandom(seed: 1)
    let batches = (0..<4).map { _ in
      (0..<images).map { _ in
        TrainingItem(
          pixels: (0..<(3 * config.imageSize * config.imageSize)).map { _ in Float(random.uniform(-2...2)) },
          examples: (0..<questions).map { _ in
            PromptExample(
              question: TaskFormat.pixelQuestion(row: random.below(64), col: random.below(64)),
              answer: TaskFormat.pixelAnswer(
                r: UInt8(random.below(256)), g: UInt8(random.below(256)), b: UInt8(random.below(256))))
          })
      }
    }
    print("setting              threads  steps/s  images/s  answer tokens/s  CPU s/step")
    for (name, parts) in [("encoder frozen", TrainableParts([.connector, .lm])), ("encoder adapted", .all)] {
      for threadCount in threads {
        let model = TrainableVLM(
          config: config, lora: loraRank > 0 ? LoRAConfig(rank: loraRank) : nil, parts: parts)
        let params = try model.makeParameters(from: NativeVLM.randomWeights(config: config, seed: 1))
        let trainer = Trainer(
          state: TrainingState(model: model, params: params), optimizer: AdamW(),
          schedule: CosineSchedule(peak: 1e-4, warmupSteps: 1, totalSteps: steps + 2), threads: threadCount)
        for i in 0..<2 { try trainer.step(batches[i % batches.count]) }
        let cpuStart = clock()
        let start = Date()
        var tokens = 0
        for i in 0..<steps { tokens += try trainer.step(batches[i % batches.count]).answerTokens }
        let wall = Date().timeIntervalSince(start)
        let cpu = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
        print(
          String(
            format: "%-20@ %7d  %7.2f  %8.1f  %15.0f  %10.3f", name as NSString, threadCount,
            Double(steps) / wall,
            Double(steps * images) / wall, Double(tokens) / wall, cpu / Double(steps)))
      }
    }
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    print("peak resident memory: \(usage.ru_maxrss / 1024) MB")
  }
}
