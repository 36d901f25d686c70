internal import CPNG

/// PNG decoding with libpng, with Pillow's conversions to RGB (`PngImagePlugin` modes, then
/// `convert('RGB')`).
enum PNGDecoder {
  static func decode(
    _ bytes: [UInt8], name: String, maxPixels: Int
  ) throws(ImageError) -> DecodedImage {
    let result: Result<DecodedImage, ImageError> = bytes.withUnsafeBufferPointer { data in
      Result { () throws(ImageError) -> DecodedImage in
        try decode(data, name: name, maxPixels: maxPixels)
      }
    }
    return try result.get()
  }

  /// The size from IHDR, with every check `decode` makes before the image data.
  static func header(_ bytes: [UInt8], name: String, maxPixels: Int) throws(ImageError) -> ImageHeader {
    let result: Result<ImageHeader, ImageError> = bytes.withUnsafeBufferPointer { data in
      Result { () throws(ImageError) -> ImageHeader in
        let (_, header) = try readHeader(data, name: name, maxPixels: maxPixels)
        return ImageHeader(width: header.width, height: header.height)
      }
    }
    return try result.get()
  }

  /// Pillow's chunk checks, then libpng's reading of every chunk up to the image data.
  private static func readHeader(
    _ data: UnsafeBufferPointer<UInt8>, name: String, maxPixels: Int
  ) throws(ImageError) -> (LibPNGReader, LibPNGReader.Header) {
    try PNGChunks.validateHeader(data, name: name, maxPixels: maxPixels)
    let reader = try LibPNGReader(file: name)
    guard let header = reader.readHeader(data) else {
      throw ImageError(.corrupt, file: name, detail: reader.lastMessage)
    }
    if header.width * header.height > maxPixels {
      throw ImageError(.tooLarge, file: name, detail: "\(header.width)x\(header.height) pixels")
    }
    return (reader, header)
  }

  private static func decode(
    _ data: UnsafeBufferPointer<UInt8>, name: String, maxPixels: Int
  ) throws(ImageError) -> DecodedImage {
    let (reader, header) = try readHeader(data, name: name, maxPixels: maxPixels)
    var ok = true
    let raw = [UInt8](unsafeUninitializedCapacity: header.rowBytes * header.height) {
      buffer, initialized in
      ok = reader.readRows(into: buffer, header: header)
      if !ok {
        buffer.initialize(repeating: 0)
      }
      initialized = buffer.count
    }
    guard ok else {
      throw ImageError(.corrupt, file: name, detail: reader.lastMessage)
    }
    let palette = header.colorType == PNG_COLOR_TYPE_PALETTE ? reader.palette() : []
    return try convert(raw, header: header, palette: palette, name: name)
  }

  /// Pillow's modes for PNG (bit depth, colour type) and their `convert('RGB')`:
  /// gray 1/2/4/8 bits `1`/`L;2`/`L;4`/`L` (scaled to 0...255); gray 16 bits `I;16`, clipped to
  /// 255; RGB 16 bits, gray+alpha 16 bits and RGBA 16 bits keep the high byte; alpha is dropped;
  /// palette indices are looked up.
  static func convert(
    _ raw: [UInt8], header: LibPNGReader.Header, palette: [UInt8], name: String
  ) throws(ImageError) -> DecodedImage {
    let w = header.width
    let h = header.height
    let depth = header.bitDepth
    let stride = header.rowBytes
    let channels: Int
    let samples: Int  // samples per pixel in `raw`
    switch header.colorType {
    case PNG_COLOR_TYPE_GRAY: (channels, samples) = (1, 1)
    case PNG_COLOR_TYPE_GRAY_ALPHA: (channels, samples) = (1, 2)
    case PNG_COLOR_TYPE_RGB: (channels, samples) = (3, 3)
    case PNG_COLOR_TYPE_RGB_ALPHA: (channels, samples) = (3, 4)
    case PNG_COLOR_TYPE_PALETTE: (channels, samples) = (3, 1)
    default:
      throw ImageError(.corrupt, file: name, detail: "unknown PNG colour type \(header.colorType)")
    }
    let paletteTable = paletteLookup(palette)
    let pixels = [UInt8](unsafeUninitializedCapacity: w * h * channels) { out, initialized in
      raw.withUnsafeBufferPointer { src in
        for y in 0..<h {
          let row = y * stride
          let outRow = y * w * channels
          if header.colorType == PNG_COLOR_TYPE_PALETTE {
            for x in 0..<w {
              let index = Int(src[row + x]) * 3
              out[outRow + 3 * x] = paletteTable[index]
              out[outRow + 3 * x + 1] = paletteTable[index + 1]
              out[outRow + 3 * x + 2] = paletteTable[index + 2]
            }
          } else if depth == 16 && header.colorType == PNG_COLOR_TYPE_GRAY {
            for x in 0..<w {
              let v = Int(src[row + 2 * x]) << 8 | Int(src[row + 2 * x + 1])
              out[outRow + x] = UInt8(min(v, 255))
            }
          } else if depth == 16 {
            for x in 0..<w {
              for c in 0..<channels {
                out[outRow + x * channels + c] = src[row + 2 * (x * samples + c)]
              }
            }
          } else if depth < 8 {
            let scale: UInt8 = depth == 1 ? 255 : depth == 2 ? 85 : 17
            for x in 0..<w {
              out[outRow + x] = src[row + x] &* scale
            }
          } else {
            for x in 0..<w {
              for c in 0..<channels {
                out[outRow + x * channels + c] = src[row + x * samples + c]
              }
            }
          }
        }
      }
      initialized = w * h * channels
    }
    return DecodedImage(width: w, height: h, channels: channels, pixels: pixels)
  }

  /// 256 entries; indices past the PLTE entries read as black.
  static func paletteLookup(_ palette: [UInt8]) -> [UInt8] {
    var table = [UInt8](repeating: 0, count: 256 * 3)
    for i in 0..<min(palette.count, table.count) {
      table[i] = palette[i]
    }
    return table
  }
}
