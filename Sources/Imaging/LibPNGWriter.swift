internal import CPNG

/// The single owner of a libpng write struct, its info struct and the output buffer.
final class LibPNGWriter {
  private let io: UnsafeMutablePointer<pp_png_io>
  private var png: png_structp?
  private var info: png_infop?

  init() throws(ImageError) {
    io = .allocate(capacity: 1)
    io.initialize(to: pp_png_io())
    png = pp_png_create_writer(io)
    info = png.flatMap { png_create_info_struct($0) }
    if png == nil || info == nil {
      throw ImageError(.io, file: "<png encoder>", detail: "cannot create a libpng writer")
    }
  }

  deinit {
    png_destroy_write_struct(&png, &info)
    free(io.pointee.output)
    io.deallocate()
  }

  /// Encodes 8-bit rows of `channels` (1 or 3) samples per pixel.
  func encode(
    _ pixels: [UInt8], width: Int, height: Int, channels: Int
  ) throws(ImageError) -> [UInt8] {
    guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max) else {
      throw ImageError(.corrupt, file: "<png encoder>", detail: "cannot encode a \(width)x\(height) image")
    }
    let colorType = channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB
    let ok = pixels.withUnsafeBufferPointer { buffer in
      // libpng only reads the rows; its API takes them as mutable pointers.
      let base = UnsafeMutablePointer(mutating: buffer.baseAddress!)
      var rows = (0..<height).map { Optional(base + $0 * width * channels) }
      return rows.withUnsafeMutableBufferPointer {
        pp_png_write(png, info, png_uint_32(width), png_uint_32(height), colorType, $0.baseAddress)
      }
    }
    guard ok != 0 else {
      let message = withUnsafeBytes(of: io.pointee.message) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      throw ImageError(.io, file: "<png encoder>", detail: message)
    }
    return Array(UnsafeBufferPointer(start: io.pointee.output, count: io.pointee.output_size))
  }
}
