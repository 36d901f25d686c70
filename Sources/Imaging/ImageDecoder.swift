/// Decodes JPEG and PNG files to 8-bit RGB exactly as Pillow's `Image.open(p).convert('RGB')`
/// does: grayscale is copied into R, G and B, alpha is dropped without compositing, palettes are
/// looked up, CMYK is converted with Pillow's formula, ICC profiles and EXIF orientation are
/// ignored.
public enum ImageDecoder {
  /// Pillow's `DecompressionBombError` threshold, `2 * Image.MAX_IMAGE_PIXELS`: images with more
  /// pixels than this are refused.
  public static let defaultMaxPixels = 178_956_970

  /// Decodes `bytes`, recognised as JPEG or PNG by their first bytes (not by `name`, which is
  /// only used in errors).
  public static func decode(
    _ bytes: [UInt8], name: String, maxPixels: Int = defaultMaxPixels
  ) throws(ImageError) -> RGBImage {
    try decodeAny(bytes, name: name, maxPixels: maxPixels).rgb()
  }

  /// Reads and decodes the file at `path`.
  public static func decodeFile(
    atPath path: String, maxPixels: Int = defaultMaxPixels
  ) throws(ImageError) -> RGBImage {
    try decode(FileBytes.contents(ofFile: path), name: path, maxPixels: maxPixels)
  }

  /// Decodes to one channel as Pillow's `Image.open(p).convert('L')` does: gray sources keep
  /// their values, colour sources get Pillow's ITU-R 601-2 luma `(19595 R + 38470 G + 7471 B +
  /// 0x8000) >> 16`.
  public static func decodeGray(
    _ bytes: [UInt8], name: String, maxPixels: Int = defaultMaxPixels
  ) throws(ImageError) -> GrayImage {
    try decodeAny(bytes, name: name, maxPixels: maxPixels).gray()
  }

  /// Reads the file at `path` and decodes it to one channel (see `decodeGray(_:name:maxPixels:)`).
  public static func decodeGrayFile(
    atPath path: String, maxPixels: Int = defaultMaxPixels
  ) throws(ImageError) -> GrayImage {
    try decodeGray(FileBytes.contents(ofFile: path), name: path, maxPixels: maxPixels)
  }

  static func decodeAny(
    _ bytes: [UInt8], name: String, maxPixels: Int
  ) throws(ImageError) -> DecodedImage {
    switch try ImageFormat.sniff(bytes, name: name) {
    case .jpeg: try JPEGDecoder.decode(bytes, name: name, maxPixels: maxPixels)
    case .png: try PNGDecoder.decode(bytes, name: name, maxPixels: maxPixels)
    }
  }
}
