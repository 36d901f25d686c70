import ArgumentParser
import Foundation
import Model

/// `pixelprobe-bench native`: the native model answering every pixel of a 64x64 grid about one
/// image, batched, with the share of wall time spent inside cblas_sgemm.
struct NativeBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "native",
    abstract: "Answer PVP questions about one image with the native model (random weights).")

  @Option(help: "Model preset (tiny, small, micro), ignored with --weights.")
  var preset = "tiny"
  @Option(help: "A safetensors weights file instead of random weights.")
  var weights: String?
  @Option(help: "Questions per batch; repeat the option to compare sizes.")
  var batch: [Int] = [64, 256]
  @Option(help: "Ask every cell of a grid x grid target.")
  var grid = 64
  @Option(help: "Most answer tokens per question.")
  var maxNewTokens = 12
  @Option(help: "OpenBLAS threads.")
  var blasThreads = 1
  @Option(help: "Questions answered one at a time as the unbatched peer (0: skip).")
  var peerQuestions = 256
  @Option(help: "Seed of the random weights and image.")
  var seed: UInt64 = 0
  @Option(help: "Also write the model's weights to this safetensors file.")
  var save: String?

  func run() throws {
    let model: NativeVLM
    if let weights {
      model = try NativeVLM.load(path: weights, blasThreads: blasThreads)
    } else {
      guard let config = NativeModelConfig.presets[preset] else {
        throw ValidationError("unknown preset \(preset); known: \(NativeModelConfig.presets.keys.sorted())")
      }
      model = try NativeVLM.random(config: config, seed: seed, blasThreads: blasThreads)
    }
    let config = model.config
    if let save { try model.save(path: save) }
    print(
      "model: \(weights ?? preset), \(model.weights.parameterCount) parameters, prefix \(config.prefixLength) tokens"
    )
    print("openblas: \(NativeBLAS.configuration), threads \(NativeBLAS.threadCount)")
    var state = seed
    let pixels = (0..<(3 * config.imageSize * config.imageSize)).map { _ -> Float in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Float(state >> 40) / Float(1 << 24) * 4 - 2
    }
    let questions = (0..<(grid * grid)).map { "[reconstruct] loc: [\($0 / grid),\($0 % grid)] rgb: " }

    let encodeProfile = NativeProfile()
    let encodeStart = NativeProfile.now()
    let prefix = try model.encodeImage(pixels, profile: encodeProfile)
    let encodeSeconds = seconds(since: encodeStart)
    print(
      String(
        format: "encode image: %.2f ms, sgemm share %.0f%%", encodeSeconds * 1000,
        share(encodeProfile, encodeSeconds)))

    for batchSize in batch {
      let profile = NativeProfile()
      var tokens = 0
      var sample = ""
      let start = NativeProfile.now()
      let cpuStart = cpuNanoseconds()
      for first in stride(from: 0, to: questions.count, by: batchSize) {
        let slice = Array(questions[first..<min(first + batchSize, questions.count)])
        let results = try model.generate(
          prefix: prefix, questions: slice, maxNewTokens: maxNewTokens, profile: profile)
        tokens += results.reduce(0) { $0 + $1.tokens.count }
        if first == 0 { sample = results[0].text }
      }
      report(
        "batch \(batchSize)", questions: questions.count, tokens: tokens, seconds: seconds(since: start),
        cpuSeconds: Double(cpuNanoseconds() - cpuStart) / 1e9, profile: profile)
      print("  sample answer: \(sample.debugDescription)")
    }

    if peerQuestions > 0 {
      let profile = NativeProfile()
      var tokens = 0
      let count = min(peerQuestions, questions.count)
      let start = NativeProfile.now()
      let cpuStart = cpuNanoseconds()
      for question in questions.prefix(count) {
        let result = try model.generate(
          prefix: prefix, questions: [question], maxNewTokens: maxNewTokens, profile: profile)
        tokens += result[0].tokens.count
      }
      report(
        "peer: one at a time", questions: count, tokens: tokens, seconds: seconds(since: start),
        cpuSeconds: Double(cpuNanoseconds() - cpuStart) / 1e9, profile: profile)
    }
  }

  /// CPU time of the process, to tell a busy machine (wall >> CPU) from a slow model.
  func cpuNanoseconds() -> UInt64 { CPUClock.nanoseconds() }

  func seconds(since start: UInt64) -> Double { Double(NativeProfile.now() - start) / 1e9 }

  func share(_ profile: NativeProfile, _ seconds: Double) -> Double {
    Double(profile.gemmNanoseconds) / 1e9 / seconds * 100
  }

  func report(
    _ label: String, questions: Int, tokens: Int, seconds: Double, cpuSeconds: Double, profile: NativeProfile
  ) {
    let gemmSeconds = Double(profile.gemmNanoseconds) / 1e9
    print(
      String(
        format: "%@: %d questions, %d answer tokens, %.2f s wall (%.2f s CPU): %.0f questions/s",
        label, questions, tokens, seconds, cpuSeconds, Double(questions) / seconds))
    print(
      String(
        format: "  sgemm: %.0f%% of wall time, %.2f s in %llu calls, %.1f GFLOP/s inside",
        share(profile, seconds), gemmSeconds, profile.gemmCalls,
        Double(profile.gemmFlops) / max(gemmSeconds, 1e-9) / 1e9))
  }
}
