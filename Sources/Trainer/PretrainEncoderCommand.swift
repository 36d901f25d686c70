import ArgumentParser
import CommandSupport
import Foundation
import Imaging
import Logging
import Model
import Training

struct PretrainEncoderCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pretrain-encoder",
    abstract: "Contrastive (InfoNCE) pre-training of the vision encoder: the stand-in for frozen CLIP.")

  @OptionGroup var logging: LoggingOptions
  @Option(help: "Directory of photos.")
  var photos: String = "data/photos"
  @Option(help: "Comma-separated held-out photos (never seen).")
  var holdout: String
  @Option(help: "Model preset (tiny, small, micro).")
  var size: String = "tiny"
  @Option(help: "Steps.")
  var steps: Int = 150
  @Option(help: "Crops per step (two views each).")
  var pairs: Int = 32
  @Option(help: "Peak learning rate.")
  var lr: Float = 1e-3
  @Option(help: "Warm-up steps.")
  var warmup: Int = 10
  @Option(help: "Threads.")
  var threads: Int = 2
  @Option(help: "Seed (the model's other parts are initialised from it too).")
  var seed: UInt64 = 1
  @Option(help: "Where to write the model weights (safetensors, loadable as native:PATH).")
  var out: String

  func run() throws {
    try reportingErrors("pixelprobe-train pretrain-encoder") {
      let logger = logging.makeLogger(label: "pixelprobe-train")
      guard let config = NativeModelConfig.presets[size] else {
        throw ValidationError("unknown --size \(size)")
      }
      let corpus = CropCorpus(
        photos: photos, holdout: holdout.split(separator: ",").map(String.init), cropsPerPhoto: 0, size: 0,
        seed: seed)
      var images: [RGBImage] = []
      for name in try corpus.split().train {
        let image = try ImageDecoder.decodeFile(atPath: (photos as NSString).appendingPathComponent(name))
        let scale = min(1, 256 / Double(min(image.width, image.height)))
        images.append(
          Resampler.bicubic(
            image, width: max(1, Int(Double(image.width) * scale)),
            height: max(1, Int(Double(image.height) * scale))))
      }
      NativeBLAS.threadCount = 1
      let pretrainer = try EncoderPretrainer(
        config: config, initial: NativeVLM.randomWeights(config: config, seed: seed),
        augmenter: ViewAugmenter(photos: images, size: config.imageSize),
        schedule: CosineSchedule(peak: lr, warmupSteps: warmup, totalSteps: steps), threads: threads,
        seed: seed)
      let start = Date()
      var window: [(Double, Double)] = []
      for step in 1...steps {
        window.append(try pretrainer.step(pairs: pairs, seed: seed))
        if step % 10 == 0 || step == steps {
          let loss = window.map(\.0).reduce(0, +) / Double(window.count)
          let accuracy = window.map(\.1).reduce(0, +) / Double(window.count)
          logger.notice(
            "encoder pre-training",
            metadata: [
              "step": "\(step)", "loss": "\(String(format: "%.4f", loss))",
              "pair.accuracy": "\(String(format: "%.3f", accuracy))",
              "seconds": "\(Int(Date().timeIntervalSince(start)))",
            ])
          window = []
        }
      }
      try NativeVLM(config: config, weights: pretrainer.weights).save(path: out)
      printError(
        "pixelprobe-train: encoder pre-trained in \(Int(Date().timeIntervalSince(start))) s; weights in \(out)"
      )
    }
  }
}
