/// The checks Pillow makes on a PNG's chunks before it reads any pixels: every chunk before the
/// first IDAT must be complete and have a correct CRC (IDAT CRCs are not checked), and the IHDR
/// size must not exceed the pixel limit.
enum PNGChunks {
  static func validateHeader(
    _ data: UnsafeBufferPointer<UInt8>, name: String, maxPixels: Int
  ) throws(ImageError) {
    var offset = 8
    while true {
      guard data.count - offset >= 8 else {
        throw ImageError(.corrupt, file: name, detail: "image file is truncated (no image data)")
      }
      let length = Int(be32(data, offset))
      let type = String(decoding: data[(offset + 4)..<(offset + 8)], as: UTF8.self)
      if type == "IDAT" || type == "IEND" {
        return
      }
      guard length <= data.count - offset - 12 else {
        throw ImageError(.corrupt, file: name, detail: "image file is truncated (in chunk \(type))")
      }
      let computed = CRC32.checksum(UnsafeBufferPointer(rebasing: data[(offset + 4)..<(offset + 8 + length)]))
      if computed != be32(data, offset + 8 + length) {
        throw ImageError(.corrupt, file: name, detail: "broken PNG file (bad checksum in chunk \(type))")
      }
      if type == "IHDR" && length >= 8 {
        let width = Int(be32(data, offset + 8))
        let height = Int(be32(data, offset + 12))
        if width * height > maxPixels {
          throw ImageError(
            .tooLarge, file: name,
            detail: "\(width)x\(height) = \(width * height) pixels exceeds the limit of \(maxPixels)")
        }
      }
      offset += 12 + length
    }
  }

  static func be32(_ data: UnsafeBufferPointer<UInt8>, _ offset: Int) -> UInt32 {
    UInt32(data[offset]) << 24 | UInt32(data[offset + 1]) << 16 | UInt32(data[offset + 2]) << 8
      | UInt32(data[offset + 3])
  }
}
