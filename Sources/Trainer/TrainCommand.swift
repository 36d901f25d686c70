import ArgumentParser

@main
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pixelprobe-train", abstract: "Train the native vision-language model on the CPU.")
}
