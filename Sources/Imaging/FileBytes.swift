#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads whole files with plain POSIX calls (the library needs nothing more).
enum FileBytes {
  static func contents(ofFile path: String) throws(ImageError) -> [UInt8] {
    let fd = open(path, O_RDONLY)
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
