import ArgumentParser

struct QueueBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "queue", abstract: "Claim and complete empty shards (placeholder).")
  func run() throws { print("not yet") }
}
