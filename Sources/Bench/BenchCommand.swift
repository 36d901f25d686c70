import ArgumentParser

/// `pixelprobe-bench`: benchmarks are commands that print figures, kept apart from the tests.
@main
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pixelprobe-bench",
    abstract: "Print PixelProbe's performance figures (build with -c release).",
    subcommands: [
      ResizeBenchmark.self, QueueBenchmark.self, GenPVPBenchmark.self, ShardsBenchmark.self,
      NativeBenchmark.self, EvalREBenchmark.self, ScoreRefCOCOBenchmark.self,
      TrainBenchmark.self, LoadBenchmark.self, LoadWorkerCommand.self, GameBenchmark.self,
      EvalVQABenchmark.self,
    ])
}
