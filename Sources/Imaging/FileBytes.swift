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
    // Non-blocking, so that opening a FIFO named like an image does not wait for a writer.
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    if fd < 0 {
      throw ImageError(.io, file: path, detail: errnoText())
    }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) != 0 {
      throw ImageError(.io, file: path, detail: errnoText())
    }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      throw ImageError(.io, file: path, detail: "is a directory")
    }
    // A device (a link to /dev/zero or /dev/urandom) or a FIFO would never end.
    if (info.st_mode & S_IFMT) != S_IFREG {
      throw ImageError(.io, file: path, detail: "not a regular file")
    }
    if Int(info.st_size) > maxBytes {
      throw ImageError(
        .tooLarge, file: path, detail: "\(info.st_size) bytes, more than \(maxBytes) allowed")
    }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    // The size is a hint only (the file may change or be a pipe): read until end of file.
    var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
    var count = 0
    while true {
      if count == bytes.count {
        bytes.append(contentsOf: repeatElement(0, count: max(bytes.count, 1 << 16)))
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
      if count > maxBytes {
        throw ImageError(.tooLarge, file: path, detail: "grew past \(maxBytes) bytes while read")
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
