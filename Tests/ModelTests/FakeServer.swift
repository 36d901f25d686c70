import Foundation

/// A `fake-vlm` server process on loopback for the duration of a test.
final class FakeServer {
  let process = Process()
  let port: Int

  init() throws {
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    process.executableURL = bin.appendingPathComponent("fake-vlm")
    process.arguments = ["--port", "0"]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    // The first line is "listening on PORT".
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
      let byte = out.fileHandleForReading.readData(ofLength: 1)
      guard !byte.isEmpty else { break }
      line.append(byte)
    }
    let text = String(decoding: line, as: UTF8.self)
    guard let port = Int(text.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
    else {
      process.terminate()
      throw CocoaError(.fileReadCorruptFile)
    }
    self.port = port
  }

  var baseURL: String { "http://127.0.0.1:\(port)/v1" }

  /// Request counters the server kept.
  func stats() throws -> [String: Int] {
    let data = try Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/stats")!)
    return (try JSONSerialization.jsonObject(with: data) as? [String: Int]) ?? [:]
  }

  deinit {
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }
}
