import ArgumentParser
import CommandSupport
import Training

struct MakeCorpusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "make-corpus",
    abstract: "Random crops of the training photos as PNG files; held-out photos copied apart.")

  @Option(help: "Directory of photos.")
  var photos: String = "data/photos"
  @Option(help: "Comma-separated file names of held-out photos (never cropped).")
  var holdout: String
  @Option(help: "Output directory of the crops.")
  var train: String
  @Option(help: "Output directory of the held-out photos.")
  var heldOut: String
  @Option(help: "Crops per training photo.")
  var crops: Int = 100
  @Option(help: "Side of the written crops, in pixels.")
  var size: Int = 96
  @Option(help: "Seed.")
  var seed: UInt64 = 1

  func run() throws {
    try reportingErrors("pixelprobe-train make-corpus") {
      let corpus = CropCorpus(
        photos: photos, holdout: holdout.split(separator: ",").map(String.init), cropsPerPhoto: crops,
        size: size,
        seed: seed)
      let count = try corpus.write(train: train, heldOut: heldOut)
      printError("pixelprobe-train: \(count) crops in \(train)")
    }
  }
}
