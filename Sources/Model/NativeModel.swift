public import Imaging

/// The `native:` backend: the in-process Swift + OpenBLAS model (Sources/Model/Native).
///
/// `native:PATH.safetensors` loads trained weights; `native:random?seed=S&size=tiny` builds an
/// untrained model so the whole path runs without a weights file. Options: `batch` (questions
/// decoded together, default 64), `max_tokens` (default 16).
public struct NativeModel: VisionLanguageModel {
  public let uri: String
  public let vlm: NativeVLM
  public let batch: Int
  public let maxTokens: Int

  /// CLIP's normalisation, as MiniGPT-v2 applies it.
  public static let mean: [Float] = [0.48145466, 0.4578275, 0.40821073]
  public static let std: [Float] = [0.26862954, 0.26130258, 0.27577711]

  public init(uri: ModelURI) throws(ModelError) {
    self.uri = uri.description
    if uri.target == "random" {
      try uri.allowOnly(["seed", "size", "batch", "max_tokens"])
      let size = uri.query["size"] ?? "tiny"
      guard let config = NativeModelConfig.presets[size] else {
        throw ModelError(
          .badURI, model: uri.description,
          "unknown size '\(size)' (known: \(NativeModelConfig.presets.keys.sorted().joined(separator: ", ")))"
        )
      }
      let seed = try uri.int("seed", default: 0, in: 0...Int.max)
      do {
        vlm = try NativeVLM.random(config: config, seed: UInt64(seed))
      } catch {
        throw ModelError(.badWeights, model: uri.description, "\(error)")
      }
    } else {
      try uri.allowOnly(["batch", "max_tokens"])
      do {
        vlm = try NativeVLM.load(path: uri.target)
      } catch {
        throw ModelError(.badWeights, model: uri.description, "\(error)")
      }
    }
    batch = try uri.int("batch", default: 64, in: 1...65536)
    maxTokens = try uri.int("max_tokens", default: 16, in: 1...256)
  }

  /// The model's input: the image resized to its input size (Pillow BICUBIC), CLIP-normalised,
  /// channel-major.
  public func pixels(_ image: RGBImage) -> [Float] { Self.input(image, size: vlm.config.imageSize) }

  /// `image` as a `size x size` model input: resized with Pillow's BICUBIC unless it already has
  /// that size, scaled to [0, 1], CLIP-normalised, channel-major. Training prepares its images
  /// with this too, so both see the same values.
  public static func input(_ image: RGBImage, size: Int) -> [Float] {
    let resized =
      image.width == size && image.height == size
      ? image : Resampler.bicubic(image, width: size, height: size)
    var out = [Float](repeating: 0, count: 3 * size * size)
    for i in 0..<(size * size) {
      for c in 0..<3 {
        out[c * size * size + i] = (Float(resized.pixels[i * 3 + c]) / 255 - mean[c]) / std[c]
      }
    }
    return out
  }

  public func answer(_ questions: [ModelQuestion], about image: ModelImage) throws -> [String] {
    do {
      let prefix = try vlm.encodeImage(pixels(image.rgb))
      var answers: [String] = []
      answers.reserveCapacity(questions.count)
      var start = 0
      while start < questions.count {
        let end = min(start + batch, questions.count)
        answers += try vlm.answer(
          prefix: prefix, questions: questions[start..<end].map(\.text), maxNewTokens: maxTokens)
        start = end
      }
      return answers
    } catch {
      throw ModelError(.badResponse, model: uri, "\(image.name): \(error)")
    }
  }
}
