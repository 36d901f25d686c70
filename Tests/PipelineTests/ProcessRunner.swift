import Foundation

/// Runs the project's executables as real processes, as a user or a batch script would.
struct ProcessRunner {
  struct Finished {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:])
    throws -> (Process, Pipe, Pipe)
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: TestEnvironment.binDirectory + "/" + executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return (process, out, err)
  }

  /// Starts, waits, and collects the output (read before waiting, so a full pipe never blocks).
  static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:])
    throws -> Finished
  {
    let (process, out, err) = try start(executable, arguments, environment: environment)
    return finish(process, out, err)
  }

  static func finish(_ process: Process, _ out: Pipe, _ err: Pipe) -> Finished {
    let errData = LockedData()
    let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errData.isSet { Thread.sleep(forTimeInterval: 0.001) }
    return Finished(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: errData.value, as: UTF8.self))
  }
}

/// A Data slot written by one thread and read by another.
final class LockedData: @unchecked Sendable {
  private let lock = NSLock()
  private var data: Data?
  func set(_ value: Data) { lock.withLock { data = value } }
  var isSet: Bool { lock.withLock { data != nil } }
  var value: Data { lock.withLock { data ?? Data() } }
}
