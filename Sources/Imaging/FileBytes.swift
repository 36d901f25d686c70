#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads whole files with plain POSIX calls (the library needs nothing more).
enum FileBytes {
  /// Larger files are refused: no image PixelProbe reads comes close, and reading one must
  /// never allocate without bound.
  static let maxBytes = 1 << 30

  static func contents(ofFile path: String) throws(ImageError) -> [UInt8] {
    let (fd, size) = try openRegular(path)
    defer { close(fd) }
    return try readBytes(fd, path: path, upTo: maxBytes, sizeHint: size, refuseLarger: true)
  }

  /// At most the first `count` bytes of the file, and its size, with the same checks.
  static func prefix(ofFile path: String, count: Int) throws(ImageError) -> (bytes: [UInt8], size: Int) {
    let (fd, size) = try openRegular(path)
    defer { close(fd) }
    return (try readBytes(fd, path: path, upTo: count, sizeHint: min(size, count), refuseLarger: false), size)
  }

  /// Opens a regular file for reading (blocking), refusing directories, devices, FIFOs and
  /// files larger than `maxBytes`; returns the descriptor and the size.
  private static func openRegular(_ path: String) throws(ImageError) -> (Int32, Int) {
    // Non-blocking, so that opening a FIFO named like an image does not wait for a writer.
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    if fd < 0 {
      throw ImageError(.io, file: path, detail: errnoText())
    }
    var info = stat()
    if fstat(fd, &info) != 0 {
      let error = ImageError(.io, file: path, detail: errnoText())
      close(fd)
      throw error
    }
    var failure: ImageError?
    if (info.st_mode & S_IFMT) == S_IFDIR {
      failure = ImageError(.io, file: path, detail: "is a directory")
    } else if (info.st_mode & S_IFMT) != S_IFREG {
      // A device (a link to /dev/zero or /dev/urandom) or a FIFO would never end.
      failure = ImageError(.io, file: path, detail: "not a regular file")
    } else if Int(info.st_size) > maxBytes {
      failure = ImageError(
        .tooLarge, file: path, detail: "\(info.st_size) bytes, more than \(maxBytes) allowed")
    }
    if let failure {
      close(fd)
      throw failure
    }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    return (fd, max(Int(info.st_size), 0))
  }

  /// Reads up to `limit` bytes. The size is a hint only (the file may change): with
  /// `refuseLarger` reading goes on to the end of the file and fails past the limit.
  private static func readBytes(
    _ fd: Int32, path: String, upTo limit: Int, sizeHint: Int, refuseLarger: Bool
  ) throws(ImageError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: sizeHint + (refuseLarger ? 1 : 0))
    var count = 0
    while true {
      if count == bytes.count {
        guard refuseLarger || count < limit else { break }
        let more = max(bytes.count, 1 << 16)
        bytes.append(contentsOf: repeatElement(0, count: refuseLarger ? more : min(more, limit - count)))
      }
      let n = bytes.withUnsafeMutableBytes { buffer in
        readSome(fd, buffer.baseAddress! + count, buffer.count - count)
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw ImageError(.io, file: path, detail: errnoText())
      }
      if n == 0 { break }
      count += n
      if refuseLarger && count > limit {
        throw ImageError(.tooLarge, file: path, detail: "grew past \(limit) bytes while read")
      }
    }
    bytes.removeSubrange(count...)
    return bytes
  }

  private static func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ size: Int) -> Int {
    read(fd, buffer, size)
  }

  private static func errnoText() -> String {
    String(cString: strerror(errno))
  }
}
