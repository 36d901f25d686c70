public import Imaging
import Model

/// The model's input for an image exactly as the `native:` backend prepares it
/// (`NativeModel.input`): resized to the input size with Pillow's BICUBIC, scaled to [0, 1],
/// CLIP-normalised, channel-major.
public enum ModelInput {
  public static var mean: [Float] { NativeModel.mean }
  public static var std: [Float] { NativeModel.std }

  /// `image` as a `size x size` input (an image already that size is not resampled).
  public static func pixels(_ image: RGBImage, size: Int) -> [Float] {
    NativeModel.input(image, size: size)
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
