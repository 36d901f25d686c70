internal import CTurboJPEG

/// The single owner of one TurboJPEG compression handle.
final class TurboJPEGCompressor {
  let handle: tjhandle

  init() throws(ImageError) {
    guard let handle = tjInitCompress() else {
      throw ImageError(.io, file: "<jpeg encoder>", detail: "cannot create a TurboJPEG compressor")
    }
    self.handle = handle
  }

  deinit { tjDestroy(handle) }

  /// Baseline JPEG of RGB pixels with 4:2:0 chroma subsampling (what Pillow writes by default).
  func compress(_ pixels: [UInt8], width: Int, height: Int, quality: Int) throws(ImageError) -> [UInt8] {
    var output: UnsafeMutablePointer<UInt8>? = nil
    var size: UInt = 0
    let status = pixels.withUnsafeBufferPointer { source in
      tjCompress2(
        handle, source.baseAddress, Int32(width), 0, Int32(height), Int32(TJPF_RGB.rawValue), &output,
        &size, Int32(TJSAMP_420.rawValue), Int32(quality), pp_tj_decode_flags)
    }
    defer { if let output { tjFree(output) } }
    guard status == 0, let output else {
      throw ImageError(
        .io, file: "<jpeg encoder>",
        detail: "JPEG encoding failed: \(String(cString: tjGetErrorStr2(handle)))")
    }
    return Array(UnsafeBufferPointer(start: output, count: Int(size)))
  }
}

/// Encodes images as baseline JPEG through libjpeg-turbo.
public enum JPEGEncoder {
  public static func encode(_ image: RGBImage, quality: Int = 90) throws(ImageError) -> [UInt8] {
    guard (1...100).contains(quality) else {
      throw ImageError(.io, file: "<jpeg encoder>", detail: "quality must be 1...100 (got \(quality))")
    }
    return try TurboJPEGCompressor().compress(
      image.pixels, width: image.width, height: image.height, quality: quality)
  }
}
