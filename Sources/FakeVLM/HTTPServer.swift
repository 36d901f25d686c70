import Foundation

#if canImport(Glibc)
  import Glibc
#endif

struct HTTPResponse {
  var status: Int
  var headers: [String: String] = [:]
  var body: [UInt8]
  /// Send only this many bytes of the body, then close the connection (a connection lost
  /// mid-body).
  var cutAfter: Int? = nil
}

/// A small HTTP/1.1 server on 127.0.0.1: a thread per connection, keep-alive, Content-Length bodies.
final class HTTPServer {
  let fd: Int32
  let port: UInt16

  init(port: UInt16) throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(fd, 256) == 0 else { throw POSIXError(.EADDRINUSE) }
    var actual = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &actual) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    self.fd = fd
    self.port = UInt16(bigEndian: actual.sin_port)
  }

  func run(handler: ChatHandler) -> Never {
    while true {
      let client = accept(fd, nil, nil)
      guard client >= 0 else { continue }
      let thread = Thread { Self.serve(client, handler: handler) }
      thread.stackSize = 1 << 20
      thread.start()
    }
  }

  static func serve(_ client: Int32, handler: ChatHandler) {
    defer { close(client) }
    var buffer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      // Read the head.
      var headEnd: Int?
      while headEnd == nil {
        if let end = find(buffer, [13, 10, 13, 10]) {
          headEnd = end
          break
        }
        let n = read(client, &chunk, chunk.count)
        guard n > 0 else { return }
        buffer.append(contentsOf: chunk[0..<n])
      }
      let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
      let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
      let parts = lines.first?.split(separator: " ") ?? []
      guard parts.count >= 2 else { return }
      var length = 0
      var keepAlive = true
      for line in lines.dropFirst() {
        let pair = line.split(separator: ":", maxSplits: 1)
        guard pair.count == 2 else { continue }
        let name = pair[0].lowercased()
        let value = pair[1].trimmingCharacters(in: .whitespaces)
        if name == "content-length" { length = Int(value) ?? 0 }
        if name == "connection" && value.lowercased() == "close" { keepAlive = false }
      }
      let bodyStart = headEnd! + 4
      while buffer.count < bodyStart + length {
        let n = read(client, &chunk, chunk.count)
        guard n > 0 else { return }
        buffer.append(contentsOf: chunk[0..<n])
      }
      let body = Array(buffer[bodyStart..<(bodyStart + length)])
      buffer.removeFirst(bodyStart + length)
      guard let response = handler.handle(method: String(parts[0]), path: String(parts[1]), body: body)
      else { return }
      var text = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
      text += "Content-Type: application/json\r\nContent-Length: \(response.body.count)\r\n"
      for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
      text += keepAlive ? "\r\n" : "Connection: close\r\n\r\n"
      let bytes = Array(text.utf8) + response.body.prefix(response.cutAfter ?? response.body.count)
      var sent = 0
      while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
        guard n > 0 else { return }
        sent += n
      }
      if !keepAlive || response.cutAfter != nil { return }
    }
  }

  static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
      if Array(haystack[i..<(i + needle.count)]) == needle { return i }
    }
    return nil
  }

  static func reason(_ status: Int) -> String {
    switch status {
    case 200: "OK"
    case 400: "Bad Request"
    case 404: "Not Found"
    case 429: "Too Many Requests"
    default: "Error"
    }
  }
}
