internal import CZstd

/// Owns one `ZSTD_CCtx` (freed in deinit) set up for shard payloads: one frame with its content
/// checksum on, fed incrementally.
final class ZstdCompressor {
  private let context: OpaquePointer
  /// Compressed bytes of one call, copied out to the caller's output.
  private var chunk = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())

  /// Levels a writer accepts: zstd's fast (negative) levels up to 19. Higher levels need windows
  /// larger than readers allow (docs/shard-format.md, "Payload").
  static var levels: ClosedRange<Int32> { Int32(ZSTD_minCLevel())...19 }

  init(level: Int32, shard: String) throws(ShardError) {
    guard Self.levels.contains(level) else {
      throw ShardError(.compression, shard: shard, "zstd level \(level) is outside \(Self.levels)")
    }
    guard let context = ZSTD_createCCtx() else {
      throw ShardError(.compression, shard: shard, "ZSTD_createCCtx failed")
    }
    self.context = context
    for (parameter, value) in [(ZSTD_c_compressionLevel, level), (ZSTD_c_checksumFlag, 1)] {
      let code = ZSTD_CCtx_setParameter(context, parameter, value)
      if pp_zstd_is_error(code) != 0 {
        throw ShardError(.compression, shard: shard, "ZSTD_CCtx_setParameter: \(Self.errorName(code))")
      }
    }
  }

  deinit { ZSTD_freeCCtx(context) }

  /// Compresses all of `input`, appending to `output`; `end` closes the frame (checksum included).
  /// Returns zstd's error name on failure.
  func compress(_ input: [UInt8], end: Bool, into output: inout [UInt8]) -> String? {
    input.withUnsafeBytes { source in
      var inBuffer = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
      while true {
        var produced = 0
        let code = chunk.withUnsafeMutableBytes { target in
          var outBuffer = ZSTD_outBuffer(dst: target.baseAddress, size: target.count, pos: 0)
          defer { produced = outBuffer.pos }
          return ZSTD_compressStream2(context, &outBuffer, &inBuffer, end ? ZSTD_e_end : ZSTD_e_continue)
        }
        if pp_zstd_is_error(code) != 0 { return Self.errorName(code) }
        output.append(contentsOf: chunk[0..<produced])
        // e_end is done when nothing is left to flush; e_continue once the input is consumed.
        if end ? code == 0 : inBuffer.pos == inBuffer.size { return nil }
      }
    }
  }

  static func errorName(_ code: Int) -> String { String(cString: pp_zstd_error_name(code)) }
}
