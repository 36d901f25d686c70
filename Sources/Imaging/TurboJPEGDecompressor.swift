internal import CTurboJPEG

/// The single owner of one TurboJPEG decompression handle.
final class TurboJPEGDecompressor {
  let handle: tjhandle

  init(file: String) throws(ImageError) {
    guard let handle = tjInitDecompress() else {
      throw ImageError(.io, file: file, detail: "cannot create a TurboJPEG decompressor")
    }
    self.handle = handle
  }

  deinit { tjDestroy(handle) }

  /// The message of the last failure (or, after a warning, of the first warning).
  var lastMessage: String { String(cString: tjGetErrorStr2(handle)) }

  /// Whether the last failure was only a warning: libjpeg produced every pixel.
  var lastWasWarning: Bool { pp_tj_last_was_warning(handle) != 0 }
}
