import ArgumentParser
import Foundation

/// Runs a job the way users do: `coordinator enqueue ...`, N `worker --exit-when-idle` processes,
/// and a final coordinator command; times each phase (release binaries next to this one).
struct DistributedRun {
  var databaseURL: String
  var workers: Int
  var workerConcurrency = 1
  var workerPrefetch = 0

  struct Timing {
    var job: Int
    var enqueue: Double
    var work: Double
    var finish: Double
    var total: Double { enqueue + work + finish }
    /// Peak RSS of the largest child process so far, in MB.
    var peakChildRSS: Int
    /// CPU seconds (user + system) of the worker processes.
    var workerCPU: Double
    var finishOutput: String
  }

  static func childCPU() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
      + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
  }

  var bin: String { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path }

  func launch(_ tool: String, _ arguments: [String], stdout: Pipe? = nil) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: bin + "/" + tool)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["DATABASE_URL"] = databaseURL
    process.environment = env
    if let stdout { process.standardOutput = stdout }
    try process.run()
    return process
  }

  func output(_ tool: String, _ arguments: [String]) throws -> String {
    let pipe = Pipe()
    let process = try launch(tool, arguments, stdout: pipe)
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw ValidationError("\(tool) \(arguments.joined(separator: " ")) failed")
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// Enqueue with `enqueueArguments`, drain with the workers, then run `finish` with the job id.
  func run(enqueueArguments: [String], finish: (Int) -> [String]) throws -> Timing {
    let clock = ContinuousClock()
    let t0 = clock.now
    guard
      let job = Int(
        try output("coordinator", enqueueArguments).trimmingCharacters(in: .whitespacesAndNewlines))
    else { throw ValidationError("enqueue printed no job id") }
    let t1 = clock.now
    let cpuBefore = Self.childCPU()
    let processes = try (0..<workers).map { n in
      try launch(
        "worker",
        [
          "--exit-when-idle", "--concurrency", "\(workerConcurrency)", "--prefetch",
          "\(workerPrefetch)", "--name", "bench-\(n)",
        ])
    }
    for process in processes { process.waitUntilExit() }
    let t2 = clock.now
    let workerCPU = Self.childCPU() - cpuBefore
    let finished = try output("coordinator", finish(job))
    let t3 = clock.now
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Timing(
      job: job, enqueue: (t1 - t0).seconds, work: (t2 - t1).seconds, finish: (t3 - t2).seconds,
      peakChildRSS: usage.ru_maxrss / 1024, workerCPU: workerCPU, finishOutput: finished)
  }
}

extension Duration {
  var seconds: Double {
    Double(components.seconds) + Double(components.attoseconds) / 1e18
  }
}
