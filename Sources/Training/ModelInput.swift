public import Imaging
import Model

/// The model's input for an image exactly as the `native:` backend prepares it: resized to the
/// input size with Pillow's BICUBIC, scaled to [0, 1], CLIP-normalised, channel-major.
public enum ModelInput {
  public static let mean: [Float] = [0.48145466, 0.4578275, 0.40821073]
  public static let std: [Float] = [0.26862954, 0.26130258, 0.27577711]

  public static func pixels(_ image: RGBImage, size: Int) -> [Float] {
    let resized =
      image.width == size && image.height == size
      ? image : Resampler.bicubic(image, width: size, height: size)
    return normalise(resized)
  }

  /// CLIP normalisation of an image already at the input size.
  public static func normalise(_ image: RGBImage) -> [Float] {
    let plane = image.width * image.height
    var out = [Float](repeating: 0, count: 3 * plane)
    for i in 0..<plane {
      for c in 0..<3 {
        out[c * plane + i] = (Float(image.pixels[i * 3 + c]) / 255 - mean[c]) / std[c]
      }
    }
    return out
  }

  /// Reads and prepares an image file; an unreadable file is an error naming it.
  public static func pixels(file: String, size: Int) throws(TrainingError) -> [Float] {
    do {
      return pixels(try ImageDecoder.decodeFile(atPath: file), size: size)
    } catch {
      throw TrainingError(.badImage, file, "\(error)")
    }
  }
}
