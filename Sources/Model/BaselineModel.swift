public import Imaging

/// Cheap reference models that every RE and cIoU figure is read against. They answer in text,
/// through the same parsers as real models.
public struct BaselineModel: VisionLanguageModel {
  public enum Kind: Sendable, Equatable {
    /// The image's mean colour (of the grid target) everywhere.
    case mean
    /// Pillow BICUBIC down to k x k, then back up to the grid: what a blurry contour scores.
    case thumbnail(k: Int)
    /// The true value: for pipeline checks (RE 0). Referring segmentation: the ground-truth box
    /// (MiniGPT-v2 text) and the ground-truth mask at grid resolution, so its cIoU is the ceiling
    /// the grid allows.
    case oracle
    /// Referring segmentation's "the box is the mask": the ground-truth box as its REC answer and
    /// `1` to every mask question, so the mask is every asked cell. No pixel answers.
    case box
    /// VQA's prior: the benchmark's most frequent answer ("yes" / "true" for the binary ones), the
    /// same to every question. Answers VQA questions only.
    case prior
  }

  public let kind: Kind
  public let uri: String

  public init(kind: Kind) {
    self.kind = kind
    switch kind {
    case .mean: uri = "baseline:mean"
    case .thumbnail(let k): uri = "baseline:thumbnail?k=\(k)"
    case .oracle: uri = "baseline:oracle"
    case .box: uri = "baseline:box"
    case .prior: uri = "baseline:prior"
    }
  }

  public init(uri: ModelURI) throws(ModelError) {
    switch uri.target {
    case "mean":
      try uri.allowOnly([])
      self.init(kind: .mean)
    case "thumbnail":
      try uri.allowOnly(["k"])
      self.init(kind: .thumbnail(k: try uri.int("k", default: 8, in: 1...4096)))
    case "oracle":
      try uri.allowOnly([])
      self.init(kind: .oracle)
    case "box":
      try uri.allowOnly([])
      self.init(kind: .box)
    case "prior":
      try uri.allowOnly([])
      self.init(kind: .prior)
    default:
      throw ModelError(
        .badURI, model: uri.description,
        "unknown baseline '\(uri.target)' (known: mean, thumbnail?k=K, oracle, box, prior)")
    }
  }

  /// The grid image this baseline "sees": its answer at (row, col) is that image's pixel.
  public func reconstruction(of image: ModelImage) throws(ModelError) -> RGBImage {
    let target = image.target ?? Resampler.bicubic(image.rgb, width: image.grid, height: image.grid)
    switch kind {
    case .box, .prior:
      throw ModelError(.unsupportedTask, model: uri, "\(uri) answers no pixel questions")
    case .oracle:
      return target
    case .mean:
      let count = target.width * target.height
      var sums = [Int](repeating: 0, count: 3)
      for i in 0..<count {
        for c in 0..<3 { sums[c] += Int(target.pixels[i * 3 + c]) }
      }
      // Round half up, per channel.
      let mean = sums.map { UInt8((2 * $0 + count) / (2 * count)) }
      var pixels = [UInt8](repeating: 0, count: count * 3)
      for i in 0..<count {
        pixels[i * 3] = mean[0]
        pixels[i * 3 + 1] = mean[1]
        pixels[i * 3 + 2] = mean[2]
      }
      return RGBImage(width: target.width, height: target.height, pixels: pixels)
    case .thumbnail(let k):
      let thumb = Resampler.bicubic(image.rgb, width: k, height: k)
      return Resampler.bicubic(thumb, width: image.grid, height: image.grid)
    }
  }

  /// `reconstruction(of:)` of several baselines, the same images exactly; the thumbnails' heavy
  /// downscales of the full image share one pass over its rows.
  public static func reconstructions(of image: ModelImage, by models: [BaselineModel]) throws(ModelError)
    -> [RGBImage]
  {
    let sizes = models.compactMap { model -> Int? in
      if case .thumbnail(let k) = model.kind { return k }
      return nil
    }
    let thumbnails = Resampler.bicubic(image.rgb, sizes: sizes.map { (width: $0, height: $0) })
    var next = 0
    var results: [RGBImage] = []
    for model in models {
      if case .thumbnail = model.kind {
        results.append(Resampler.bicubic(thumbnails[next], width: image.grid, height: image.grid))
        next += 1
      } else {
        results.append(try model.reconstruction(of: image))
      }
    }
    return results
  }

  public func answer(_ questions: [ModelQuestion], about image: ModelImage) throws -> [String] {
    var reconstruction: RGBImage?
    return try questions.map { question throws(ModelError) -> String in
      switch question.task {
      case .pixel(let row, let col):
        if reconstruction == nil { reconstruction = try self.reconstruction(of: image) }
        let (r, g, b) = reconstruction![row, col]
        return TaskFormat.pixelAnswer(r: r, g: g, b: b)
      case .mask(_, let row, let col):
        if kind == .box { return "1" }
        guard kind == .oracle, let mask = image.gridMask else {
          throw ModelError(.unsupportedTask, model: uri, "\(uri) cannot answer mask questions")
        }
        return mask[row * image.grid + col] != 0 ? "1" : "0"
      case .refer:
        guard kind == .oracle || kind == .box, let box = image.truthBox else {
          throw ModelError(.unsupportedTask, model: uri, "\(uri) cannot answer refer questions")
        }
        return box.answerText(imageWidth: image.rgb.width, imageHeight: image.rgb.height)
      case .vqa(let truth, let prior):
        switch kind {
        case .oracle: return truth
        case .prior: return prior
        default: throw ModelError(.unsupportedTask, model: uri, "\(uri) cannot answer VQA questions")
        }
      }
    }
  }
}
