public import Imaging

/// What an HTTP backend sends for an image: the original file, or the image resized and
/// re-encoded as the model's processor would see it (`image_size=N`, `image_format=png|jpeg`,
/// `quality=Q`).
public struct ImageEncoding: Sendable, Equatable {
  public enum Format: String, Sendable {
    case original, png, jpeg
  }

  /// N x N (Pillow BICUBIC) before encoding; nil keeps the image's size.
  public var size: Int?
  public var format: Format
  /// JPEG quality, 1...100.
  public var quality: Int

  public init(size: Int? = nil, format: Format = .original, quality: Int = 90) {
    self.size = size
    self.format = format
    self.quality = quality
  }

  /// From a model URI's `image_size`, `image_format` and `quality`. A size without a format sends
  /// PNG (lossless: exactly the resized pixels); `original` cannot be resized.
  public init(uri: ModelURI) throws(ModelError) {
    let size: Int? =
      uri.query["image_size"] == nil ? nil : try uri.int("image_size", default: 0, in: 1...8192)
    let formatText = uri.query["image_format"] ?? (size == nil ? "original" : "png")
    guard let format = Format(rawValue: formatText) else {
      throw ModelError(
        .badURI, model: uri.description, "image_format=\(formatText) must be original, png or jpeg")
    }
    if format == .original, size != nil {
      throw ModelError(
        .badURI, model: uri.description,
        "image_size needs image_format=png or jpeg (the original bytes cannot be resized)")
    }
    if uri.query["quality"] != nil, format != .jpeg {
      throw ModelError(.badURI, model: uri.description, "quality= applies to image_format=jpeg only")
    }
    self.init(size: size, format: format, quality: try uri.int("quality", default: 90, in: 1...100))
  }

  /// The bytes and MIME type to send for `image`.
  public func payload(_ image: ModelImage, model: String) throws(ModelError)
    -> (bytes: [UInt8], mimeType: String)
  {
    if format == .original { return (image.encoded, image.mimeType) }
    return try payload(pixels: image.rgb, name: image.name, model: model)
  }

  /// The bytes and MIME type to send for decoded pixels (game frames have no file): PNG unless
  /// the URI asks for JPEG, resized when it gives a size.
  public func payload(pixels image: RGBImage, name: String, model: String) throws(ModelError)
    -> (bytes: [UInt8], mimeType: String)
  {
    let pixels = size.map { Resampler.bicubic(image, width: $0, height: $0) } ?? image
    do {
      if format == .jpeg { return (try JPEGEncoder.encode(pixels, quality: quality), "image/jpeg") }
      return (try PNGEncoder.encode(pixels), "image/png")
    } catch {
      throw ModelError(.badResponse, model: model, "\(name): cannot encode the image for sending: \(error)")
    }
  }
}
