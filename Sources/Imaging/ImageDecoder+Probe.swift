extension ImageDecoder {
  /// The first bytes read by `probeFile`: the headers of nearly every JPEG and PNG fit, and the
  /// rest of the file is read only when they do not (a large EXIF block or text chunk first).
  static let probePrefix = 32 << 10

  /// Checks the file at `path` as the decoder would up to its pixel data: a regular file, JPEG or
  /// PNG by its first bytes, a readable header (every PNG chunk before the image data complete
  /// with a good CRC), a size within `maxPixels`. Damage inside the pixel data is found only by
  /// decoding.
  public static func probeFile(
    atPath path: String, maxPixels: Int = defaultMaxPixels
  ) throws(ImageError) -> ImageHeader {
    let (head, size) = try FileBytes.prefix(ofFile: path, count: probePrefix)
    do throws(ImageError) {
      return try probe(head, name: path, maxPixels: maxPixels)
    } catch  where error.code == .corrupt && head.count < size {
      return try probe(FileBytes.contents(ofFile: path), name: path, maxPixels: maxPixels)
    }
  }

  static func probe(_ bytes: [UInt8], name: String, maxPixels: Int) throws(ImageError) -> ImageHeader {
    switch try ImageFormat.sniff(bytes, name: name) {
    case .jpeg: try JPEGDecoder.header(bytes, name: name, maxPixels: maxPixels)
    case .png: try PNGDecoder.header(bytes, name: name, maxPixels: maxPixels)
    }
  }
}
