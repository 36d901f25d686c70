internal import CPNG

/// The single owner of a libpng read struct, its info struct and the I/O state they point to.
/// Every libpng call that can fail goes through a `pp_` shim that catches libpng's longjmp.
final class LibPNGReader {
  private let io: UnsafeMutablePointer<pp_png_io>
  private var png: png_structp?
  private var info: png_infop?

  init(file: String) throws(ImageError) {
    io = .allocate(capacity: 1)
    io.initialize(to: pp_png_io())
    png = pp_png_create_reader(io)
    info = png.flatMap { png_create_info_struct($0) }
    if png == nil || info == nil {
      throw ImageError(.io, file: file, detail: "cannot create a libpng reader")
    }
  }

  deinit {
    png_destroy_read_struct(&png, &info, nil)
    io.deallocate()
  }

  struct Header {
    var width: Int
    var height: Int
    var bitDepth: Int
    var colorType: Int32
    /// Bytes per row of what `readRows` delivers (one byte per sample below 8 bits).
    var rowBytes: Int
  }

  /// Reads the chunks up to the image data from `data`, which must stay valid until the rows have
  /// been read, and prepares for reading rows.
  func readHeader(_ data: UnsafeBufferPointer<UInt8>) -> Header? {
    io.pointee.input = data.baseAddress
    io.pointee.input_size = data.count
    io.pointee.input_offset = 0
    guard pp_png_read_info(png, info) != 0 else { return nil }
    // The bit depth as stored: after `pp_png_prepare_rows` libpng reports 8 for packed samples.
    let bitDepth = Int(png_get_bit_depth(png, info))
    guard pp_png_prepare_rows(png, info) != 0 else { return nil }
    return Header(
      width: Int(png_get_image_width(png, info)), height: Int(png_get_image_height(png, info)),
      bitDepth: bitDepth, colorType: Int32(png_get_color_type(png, info)),
      rowBytes: Int(png_get_rowbytes(png, info)))
  }

  /// Reads every row (all interlace passes) into `buffer`, `rowBytes` apart.
  func readRows(into buffer: UnsafeMutableBufferPointer<UInt8>, header: Header) -> Bool {
    var rows = (0..<header.height).map { Optional(buffer.baseAddress! + $0 * header.rowBytes) }
    return rows.withUnsafeMutableBufferPointer { pp_png_read_rows(png, $0.baseAddress) != 0 }
  }

  /// The PLTE entries as `r, g, b` triples.
  func palette() -> [UInt8] {
    var entries: png_colorp?
    var count: Int32 = 0
    guard png_get_PLTE(png, info, &entries, &count) != 0, let entries else { return [] }
    var rgb: [UInt8] = []
    rgb.reserveCapacity(Int(count) * 3)
    for i in 0..<Int(count) {
      rgb += [entries[i].red, entries[i].green, entries[i].blue]
    }
    return rgb
  }

  var lastMessage: String {
    withUnsafeBytes(of: io.pointee.message) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
  }
}
