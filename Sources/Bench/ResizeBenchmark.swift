import ArgumentParser

struct ResizeBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resize", abstract: "Decode and resize photos to the PVP grid (placeholder).")
  func run() throws { print("not yet") }
}
