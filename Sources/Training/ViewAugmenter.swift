import Foundation
public import Imaging

/// SimCLR-style views for the encoder's contrastive pre-training: a random crop of a photo, then
/// per view a random sub-crop, horizontal flip, colour jitter (brightness, contrast,
/// saturation) and Gaussian blur, returned as the model's normalised input.
public struct ViewAugmenter: Sendable {
  /// The photos, already reduced so that cropping is cheap.
  public let photos: [RGBImage]
  public let size: Int
  public var jitter: Double = 0.4
  public var blurProbability: Double = 0.5

  public init(photos: [RGBImage], size: Int) {
    self.photos = photos
    self.size = size
  }

  /// The base crop that two views share.
  public func baseCrop(_ random: inout TrainingRandom) -> RGBImage {
    let image = photos[random.below(photos.count)]
    let shorter = min(image.width, image.height)
    let side = max(8, Int(Double(shorter) * random.uniform(0.25...1)))
    let x = random.below(image.width - side + 1)
    let y = random.below(image.height - side + 1)
    return CropCorpus.crop(image, x: x, y: y, side: side)
  }

  /// One augmented view of `base`, CLIP-normalised, channel-major.
  public func view(of base: RGBImage, _ random: inout TrainingRandom) -> [Float] {
    let side = max(4, Int(Double(base.width) * random.uniform(0.6...1)))
    let x = random.below(base.width - side + 1)
    let y = random.below(base.height - side + 1)
    let crop = Resampler.bicubic(CropCorpus.crop(base, x: x, y: y, side: side), width: size, height: size)
    let plane = size * size
    var rgb = [Float](repeating: 0, count: 3 * plane)
    let flip = random.unit() < 0.5
    for row in 0..<size {
      for col in 0..<size {
        let source = (row * size + (flip ? size - 1 - col : col)) * 3
        for c in 0..<3 { rgb[c * plane + row * size + col] = Float(crop.pixels[source + c]) / 255 }
      }
    }
    let brightness = Float(random.uniform((1 - jitter)...(1 + jitter)))
    let contrast = Float(random.uniform((1 - jitter)...(1 + jitter)))
    let saturation = Float(random.uniform((1 - jitter)...(1 + jitter)))
    var grayMean: Float = 0
    for i in 0..<plane {
      for c in 0..<3 { rgb[c * plane + i] *= brightness }
      grayMean += 0.299 * rgb[i] + 0.587 * rgb[plane + i] + 0.114 * rgb[2 * plane + i]
    }
    grayMean /= Float(plane)
    for i in 0..<plane {
      let gray = 0.299 * rgb[i] + 0.587 * rgb[plane + i] + 0.114 * rgb[2 * plane + i]
      for c in 0..<3 {
        var v = rgb[c * plane + i]
        v = gray + (v - gray) * saturation
        v = (v - grayMean) * contrast + grayMean
        rgb[c * plane + i] = min(max(v, 0), 1)
      }
    }
    if random.unit() < blurProbability {
      Self.blur(&rgb, size: size, sigma: Float(random.uniform(0.3...1.5)))
    }
    for c in 0..<3 {
      for i in 0..<plane {
        rgb[c * plane + i] = (rgb[c * plane + i] - ModelInput.mean[c]) / ModelInput.std[c]
      }
    }
    return rgb
  }

  /// Separable Gaussian blur of each channel plane (edges clamped).
  static func blur(_ rgb: inout [Float], size: Int, sigma: Float) {
    let radius = 3
    var kernel = (-radius...radius).map { d in Float(exp(-Double(d * d) / Double(2 * sigma * sigma))) }
    let total = kernel.reduce(0, +)
    kernel = kernel.map { $0 / total }
    let plane = size * size
    var temp = [Float](repeating: 0, count: plane)
    for c in 0..<3 {
      let base = c * plane
      for row in 0..<size {
        for col in 0..<size {
          var sum: Float = 0
          for d in -radius...radius {
            sum += kernel[d + radius] * rgb[base + row * size + min(max(col + d, 0), size - 1)]
          }
          temp[row * size + col] = sum
        }
      }
      for row in 0..<size {
        for col in 0..<size {
          var sum: Float = 0
          for d in -radius...radius {
            sum += kernel[d + radius] * temp[min(max(row + d, 0), size - 1) * size + col]
          }
          rgb[base + row * size + col] = sum
        }
      }
    }
  }
}
