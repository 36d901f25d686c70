internal import CTurboJPEG

/// libjpeg-turbo on its own (header + decode to RGB into a reused buffer, nothing else), as the
/// yardstick the benchmark compares our decoding against.
public final class TurboJPEGBaseline {
  private let decompressor: TurboJPEGDecompressor
  private var buffer: [UInt8] = []

  public init() throws(ImageError) {
    decompressor = try TurboJPEGDecompressor(file: "<baseline>")
  }

  /// Decodes a JPEG to RGB and returns its size, or nil if libjpeg-turbo fails.
  public func decode(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
    let handle = decompressor.handle
    return bytes.withUnsafeBufferPointer { data -> (width: Int, height: Int)? in
      var width: Int32 = 0
      var height: Int32 = 0
      var subsampling: Int32 = 0
      var colorspace: Int32 = 0
      guard
        tjDecompressHeader3(
          handle, data.baseAddress, UInt(data.count), &width, &height, &subsampling, &colorspace) == 0
      else { return nil }
      let count = Int(width) * Int(height) * 3
      if buffer.count < count {
        buffer = [UInt8](repeating: 0, count: count)
      }
      let status = buffer.withUnsafeMutableBufferPointer { out in
        tjDecompress2(
          handle, data.baseAddress, UInt(data.count), out.baseAddress, width, width * 3, height,
          Int32(TJPF_RGB.rawValue), pp_tj_decode_flags)
      }
      return status == 0 || decompressor.lastWasWarning ? (Int(width), Int(height)) : nil
    }
  }
}
