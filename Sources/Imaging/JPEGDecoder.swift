internal import CTurboJPEG

/// JPEG decoding with libjpeg-turbo, matching Pillow (which decodes with libjpeg's defaults:
/// accurate integer DCT and fancy upsampling, and reads 4-component files as Adobe-inverted CMYK).
enum JPEGDecoder {
  static func decode(
    _ bytes: [UInt8], name: String, maxPixels: Int
  ) throws(ImageError) -> DecodedImage {
    let tj = try TurboJPEGDecompressor(file: name)
    let result: Result<DecodedImage, ImageError> = bytes.withUnsafeBufferPointer { data in
      Result { () throws(ImageError) -> DecodedImage in
        try decode(data, tj: tj, name: name, maxPixels: maxPixels)
      }
    }
    return try result.get()
  }

  /// The size from the frame header, checked as `decode` checks it, without decoding.
  static func header(_ bytes: [UInt8], name: String, maxPixels: Int) throws(ImageError) -> ImageHeader {
    let tj = try TurboJPEGDecompressor(file: name)
    let result: Result<ImageHeader, ImageError> = bytes.withUnsafeBufferPointer { data in
      Result { () throws(ImageError) -> ImageHeader in
        let (w, h, _) = try header(data, tj: tj, name: name, maxPixels: maxPixels)
        return ImageHeader(width: w, height: h)
      }
    }
    return try result.get()
  }

  private static func header(
    _ data: UnsafeBufferPointer<UInt8>, tj: TurboJPEGDecompressor, name: String, maxPixels: Int
  ) throws(ImageError) -> (width: Int, height: Int, colorspace: Int32) {
    var width: Int32 = 0
    var height: Int32 = 0
    var subsampling: Int32 = 0
    var colorspace: Int32 = 0
    if tjDecompressHeader3(
      tj.handle, data.baseAddress, UInt(data.count), &width, &height, &subsampling, &colorspace) != 0
    {
      throw ImageError(.corrupt, file: name, detail: tj.lastMessage)
    }
    let w = Int(width)
    let h = Int(height)
    guard w > 0 && h > 0 else {
      throw ImageError(.corrupt, file: name, detail: "empty JPEG image (\(w)x\(h))")
    }
    if w * h > maxPixels {
      throw ImageError(
        .tooLarge, file: name, detail: "\(w)x\(h) = \(w * h) pixels exceeds the limit of \(maxPixels)")
    }
    return (w, h, colorspace)
  }

  private static func decode(
    _ data: UnsafeBufferPointer<UInt8>, tj: TurboJPEGDecompressor, name: String, maxPixels: Int
  ) throws(ImageError) -> DecodedImage {
    let (w, h, colorspace) = try header(data, tj: tj, name: name, maxPixels: maxPixels)
    let (width, height) = (Int32(w), Int32(h))
    let size = UInt(data.count)
    let format: TJPF
    let channels: Int
    switch UInt32(bitPattern: colorspace) {
    case TJCS_GRAY.rawValue: (format, channels) = (TJPF_GRAY, 1)
    case TJCS_CMYK.rawValue, TJCS_YCCK.rawValue: (format, channels) = (TJPF_CMYK, 4)
    default: (format, channels) = (TJPF_RGB, 3)
    }
    var failure: String?
    let pixels = [UInt8](unsafeUninitializedCapacity: w * h * channels) { buffer, initialized in
      let status = tjDecompress2(
        tj.handle, data.baseAddress, size, buffer.baseAddress, width, width * Int32(channels),
        height, Int32(format.rawValue), pp_tj_decode_flags)
      if status != 0 {
        // Pillow ignores libjpeg's warnings about corrupt data but fails when the file ends
        // early ("image file is truncated"); libjpeg-turbo only warns then, so tell them apart.
        let message = tj.lastMessage
        if !tj.lastWasWarning || message.contains("Premature end of JPEG file") {
          failure = message
          buffer.initialize(repeating: 0)
        }
      }
      initialized = buffer.count
    }
    if let failure {
      throw ImageError(.corrupt, file: name, detail: failure)
    }
    if !JPEGMarkers.hasEndOfImageAfterScan(data) {
      throw ImageError(.corrupt, file: name, detail: "image file is truncated")
    }
    if channels == 4 {
      return DecodedImage(width: w, height: h, channels: 3, pixels: invertedCMYKToRGB(pixels))
    }
    return DecodedImage(width: w, height: h, channels: channels, pixels: pixels)
  }

  /// Pillow reads every CMYK JPEG with raw mode `CMYK;I` (Adobe's inverted convention) and then
  /// converts with `cmyk2rgb`: `nk = 255 - k`, `out = nk - MULDIV255(c, nk)`.
  static func invertedCMYKToRGB(_ raw: [UInt8]) -> [UInt8] {
    let count = raw.count / 4
    return [UInt8](unsafeUninitializedCapacity: count * 3) { out, initialized in
      raw.withUnsafeBufferPointer { cmyk in
        for i in 0..<count {
          let nk = Int32(cmyk[4 * i + 3])  // 255 - (255 - raw k)
          for c in 0..<3 {
            let ink = 255 - Int32(cmyk[4 * i + c])
            let t = ink * nk + 128
            let product = ((t >> 8) + t) >> 8
            out[3 * i + c] = UInt8(clamping: nk - product)
          }
        }
      }
      initialized = count * 3
    }
  }
}
