import ArgumentParser
import Foundation
import Logging
import Queue

/// Runs a job the way users do: `coordinator enqueue ...`, N `worker` processes, and a final
/// coordinator command; times each phase (release binaries next to this one).
///
/// Cold workers (the default) start after the enqueue with `--exit-when-idle`, and the work phase
/// lasts until both have exited. Warm workers (`warmWorkers`) are started with the enqueue and
/// wait for its notification, as long-running workers do in a deployment; the work phase then
/// lasts until the job's row says it finished (polled every few milliseconds), and the workers are
/// stopped with SIGTERM after the final command, outside the timed span.
struct DistributedRun {
  var databaseURL: String
  var workers: Int
  var workerConcurrency = 1
  var workerPrefetch = 0
  var warmWorkers = false

  struct Timing {
    var job: Int
    var enqueue: Double
    var work: Double
    var finish: Double
    var total: Double { enqueue + work + finish }
    /// Peak RSS of the largest child process so far, in MB.
    var peakChildRSS: Int
    /// CPU seconds (user + system) of the worker processes (cold workers only: warm ones exit
    /// after the final command).
    var workerCPU: Double?
    /// CPU seconds of every process of the run: enqueue, workers, final command.
    var totalCPU: Double
    var finishOutput: String
    /// Peak RSS in MB of the enqueueing coordinator and of each cold worker.
    var enqueueRSS = 0
    var workerRSS: [Int] = []
  }

  static func childCPU() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
      + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
  }

  var bin: String { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path }

  func launch(_ tool: String, _ arguments: [String], captureOutput: Bool = false) throws
    -> ChildProcess
  {
    var environment = ProcessInfo.processInfo.environment
    environment["DATABASE_URL"] = databaseURL
    // OpenBLAS starts a thread per core when the library loads, and each one spins in
    // sched_yield for about 0.1 s before it sleeps: some 40 ms of CPU per process start here,
    // for threads that nothing uses (workers run one executor per core; the native model asks
    // for one BLAS thread). Deployments set the same (ops/ and docs/perf-eval-re.md).
    if environment["OPENBLAS_NUM_THREADS"] == nil { environment["OPENBLAS_NUM_THREADS"] = "1" }
    return try ChildProcess(
      path: bin + "/" + tool, arguments: arguments, environment: environment,
      captureOutput: captureOutput)
  }

  func output(_ tool: String, _ arguments: [String]) throws -> String {
    try outputAndRSS(tool, arguments).text
  }

  /// The child's standard output and its peak RSS in MB.
  func outputAndRSS(_ tool: String, _ arguments: [String]) throws -> (text: String, rss: Int) {
    let process = try launch(tool, arguments, captureOutput: true)
    let text = process.readOutput()
    guard process.wait() == 0 else {
      throw ValidationError("\(tool) \(arguments.joined(separator: " ")) failed")
    }
    return (text, process.peakRSS)
  }

  func launchWorkers(exitWhenIdle: Bool) throws -> [ChildProcess] {
    try (0..<workers).map { n in
      try launch(
        "worker",
        (exitWhenIdle ? ["--exit-when-idle"] : []) + [
          "--concurrency", "\(workerConcurrency)", "--prefetch", "\(workerPrefetch)", "--name",
          "bench-\(n)",
        ])
    }
  }

  /// Enqueue with `enqueueArguments`, drain with the workers, then run `finish` with the job id.
  func run(enqueueArguments: [String], finish: (Int) -> [String]) throws -> Timing {
    let clock = ContinuousClock()
    // Warm runs watch the job's row on a connection made before the clock starts.
    let watcher =
      warmWorkers ? try PGConnection.connect(url: databaseURL, logger: Logger(label: "bench")) : nil
    let cpuBefore = Self.childCPU()
    let t0 = clock.now
    let warm = warmWorkers ? try launchWorkers(exitWhenIdle: false) : []
    let enqueued = try outputAndRSS("coordinator", enqueueArguments)
    guard let job = Int(enqueued.text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
      throw ValidationError("enqueue printed no job id")
    }
    var workerRSS: [Int] = []
    let t1 = clock.now
    let cpuEnqueued = Self.childCPU()
    if let watcher {
      while true {
        let state = try watcher.query("SELECT state FROM jobs WHERE id = $1", [.int(Int64(job))])
          .string(0, 0)
        if state != "running" { break }
        Thread.sleep(forTimeInterval: 0.002)
      }
    } else {
      for process in try launchWorkers(exitWhenIdle: true) {
        process.wait()
        workerRSS.append(process.peakRSS)
      }
    }
    let t2 = clock.now
    let cpuWorked = Self.childCPU()
    let finished = try output("coordinator", finish(job))
    let t3 = clock.now
    for process in warm {
      process.terminate()
      process.wait()
    }
    let cpuAfter = Self.childCPU()
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Timing(
      job: job, enqueue: (t1 - t0).seconds, work: (t2 - t1).seconds, finish: (t3 - t2).seconds,
      peakChildRSS: usage.ru_maxrss / 1024,
      workerCPU: warmWorkers ? nil : cpuWorked - cpuEnqueued, totalCPU: cpuAfter - cpuBefore,
      finishOutput: finished, enqueueRSS: enqueued.rss, workerRSS: workerRSS)
  }
}

extension Duration {
  var seconds: Double {
    Double(components.seconds) + Double(components.attoseconds) / 1e18
  }
}
