internal import CZstd

/// Owns one `ZSTD_DCtx` (freed in deinit), decoding one frame step by step into caller buffers.
final class ZstdDecompressor {
  private let context: OpaquePointer

  /// Largest frame window accepted (2^24 = 16 MiB): bounds zstd's own buffers on hostile input.
  static let windowLogMax: Int32 = 24

  enum Step {
    case progress(consumed: Int, produced: Int, frameEnded: Bool)
    case failure(String)
  }

  init(shard: String) throws(ShardError) {
    guard let context = ZSTD_createDCtx() else {
      throw ShardError(.corruptPayload, shard: shard, "ZSTD_createDCtx failed")
    }
    self.context = context
    let code = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Self.windowLogMax)
    if pp_zstd_is_error(code) != 0 {
      throw ShardError(.corruptPayload, shard: shard, "ZSTD_DCtx_setParameter: \(Self.errorName(code))")
    }
  }

  deinit { ZSTD_freeDCtx(context) }

  /// Bytes zstd holds for this context (its window and block buffers).
  var memoryUsage: Int { ZSTD_sizeof_DCtx(context) }

  /// Decodes as much of `input` as fits into `output`.
  func step(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) -> Step {
    var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
    var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
    let code = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
    if pp_zstd_is_error(code) != 0 { return .failure(Self.errorName(code)) }
    // 0 means the frame is complete, its checksum verified, and everything flushed.
    return .progress(consumed: inBuffer.pos, produced: outBuffer.pos, frameEnded: code == 0)
  }

  static func errorName(_ code: Int) -> String { String(cString: pp_zstd_error_name(code)) }
}

extension ZstdDecompressor {
  /// The size of the zstd frame at the start of `bytes`, found by walking its block headers.
  static func frameSize(_ bytes: UnsafeRawBufferPointer) -> Result<Int, FrameSizeError> {
    let code = ZSTD_findFrameCompressedSize(bytes.baseAddress, bytes.count)
    if pp_zstd_is_error(code) != 0 { return .failure(FrameSizeError(message: errorName(code))) }
    return .success(code)
  }

  struct FrameSizeError: Error { var message: String }
}
