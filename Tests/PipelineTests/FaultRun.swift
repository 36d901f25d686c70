import Foundation
import Imaging
import Queue
import Testing

/// Settings of the fault-injection suite: PIXELPROBE_SLOW_TESTS=1 runs the long loops.
enum FaultSettings {
  static let slow = ProcessInfo.processInfo.environment["PIXELPROBE_SLOW_TESTS"] == "1"
  /// Seeds of the SIGKILL cases: 3 in a normal run, 25 in the slow mode.
  static let killSeeds: [UInt64] = slow ? Array(1...25) : [1, 2, 3]
  /// Rounds of the PostgreSQL-restart and backend-termination cases.
  static let restartRounds: [Int] = slow ? Array(1...5) : [1]
  /// Seeds of the fleet cases (exit-when-idle workers, one killed) and of the seeded
  /// backend-termination loop.
  static let fleetSeeds: [UInt64] = slow ? Array(1...10) : [1]
  /// Small JPEGs from data/photos (the job's images, in name order).
  static let images = [
    "opencv-aero1.jpg", "opencv-apple.jpg", "opencv-butterfly.jpg", "opencv-home.jpg",
    "opencv-left01.jpg", "opencv-messi5.jpg", "opencv-orange.jpg", "opencv-stuff.jpg",
  ]
  /// Cells asked per image: with the `slow` model (20 ms per answer, 2 at once) a shard takes
  /// about half a second, long enough to be interrupted in the middle.
  static let perImage = 48

  /// A directory holding `names` copied from data/photos (plus `extra` files), made once per name.
  static func imageDirectory(_ label: String, names: [String], extra: [String: [UInt8]] = [:])
    throws -> String
  {
    let directory = NSTemporaryDirectory() + "pixelprobe-faults-\(label)-\(getpid())"
    let manager = FileManager.default
    if manager.fileExists(atPath: directory) { return directory }
    let staging = directory + ".tmp-\(UUID().uuidString)"
    try manager.createDirectory(atPath: staging, withIntermediateDirectories: true)
    for name in names {
      try manager.copyItem(atPath: TestEnvironment.photos + "/" + name, toPath: staging + "/" + name)
    }
    for (name, bytes) in extra { try Data(bytes).write(to: URL(fileURLWithPath: staging + "/" + name)) }
    try manager.moveItem(atPath: staging, toPath: directory)
    FaultClusterCleanup.removeAtExit(directory)
    return directory
  }

  static func standardImages() throws -> String { try imageDirectory("eight", names: images) }
}

/// A `fake-vlm` server process for the duration of a test.
final class FakeVLMProcess {
  let process = Process()
  let port: Int

  init() throws {
    process.executableURL = URL(fileURLWithPath: TestEnvironment.binDirectory + "/fake-vlm")
    process.arguments = ["--port", "0"]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
      let byte = out.fileHandleForReading.readData(ofLength: 1)
      guard !byte.isEmpty else { break }
      line.append(byte)
    }
    let text = String(decoding: line, as: UTF8.self)
    guard
      let port = Int(text.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
    else {
      process.terminate()
      throw FaultError("fake-vlm did not start: \(text)")
    }
    self.port = port
  }

  /// The openai model URI for one of the server's behaviours.
  func model(_ name: String, options: String = "concurrency=2") -> String {
    "openai:http://127.0.0.1:\(port)/v1?model=\(name)&\(options)"
  }

  deinit {
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }
}

/// A `worker` process whose standard error goes to a file (never a pipe that could fill up).
final class WorkerProcess {
  let name: String
  let process = Process()
  let logPath: String
  private var finishedStatus: Int32?

  init(name: String, environment: [String: String], arguments: [String]) throws {
    self.name = name
    logPath =
      NSTemporaryDirectory() + "pixelprobe-worker-\(getpid())-\(name)-\(UUID().uuidString.prefix(6)).log"
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    process.executableURL = URL(fileURLWithPath: TestEnvironment.binDirectory + "/worker")
    process.arguments = ["--name", name] + arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle(forWritingAtPath: logPath)
    try process.run()
  }

  var pid: Int32 { process.processIdentifier }

  func signal(_ number: Int32) { kill(process.processIdentifier, number) }

  /// Waits up to `timeout` seconds for the exit; nil if it is still running.
  func wait(timeout: Double) -> Int32? {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    return process.isRunning ? nil : process.terminationStatus
  }

  /// SIGTERM, then the exit status (SIGKILL and nil after `timeout`).
  func stop(timeout: Double = 20) -> Int32? {
    if !process.isRunning { return process.terminationStatus }
    signal(SIGTERM)
    if let status = wait(timeout: timeout) { return status }
    signal(SIGKILL)
    _ = wait(timeout: 5)
    return nil
  }

  var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  deinit {
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    try? FileManager.default.removeItem(atPath: logPath)
  }
}

/// One eval-re job on the fault cluster: enqueue, workers, the fault, then the checks that the
/// result is exact (the report equals a fault-free run's) and that no shard counted twice.
final class FaultRun {
  let cluster: FaultCluster
  let job: Int64
  let label: String
  var workers: [WorkerProcess] = []
  /// The workers' default arguments: short polls and retries, so a fault costs seconds.
  static let workerArguments = [
    "--concurrency", "1", "--poll-seconds", "0.3", "--retry-delay", "0.2", "--log-level", "info",
  ]

  /// Enqueues eval-re on `images` with `model` (lease 2 s unless given in `extra`).
  init(
    _ label: String, model: String, images: String? = nil, count: Int? = nil, extra: [String] = []
  ) throws {
    cluster = try FaultCluster.get()
    self.label = label
    let directory = try images ?? FaultSettings.standardImages()
    let arguments =
      [
        "enqueue", "eval-re", "--images", directory,
        "--count", "\(count ?? FaultSettings.images.count)", "--per-image", "\(FaultSettings.perImage)",
        "--seed", "7", "--model", model, "--idempotency-key", "\(label)-\(UUID().uuidString)",
      ] + (extra.contains("--lease-seconds") ? [] : ["--lease-seconds", "2"]) + extra
    let enqueued = try ProcessRunner.run(
      "coordinator", arguments, environment: ["DATABASE_URL": cluster.url])
    guard enqueued.status == 0,
      let job = Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    else { throw FaultError("enqueue failed: \(enqueued.stderr)") }
    self.job = job
  }

  var environment: [String: String] { ["DATABASE_URL": cluster.url] }

  @discardableResult
  func startWorker(_ name: String, _ extra: [String] = [], environment: [String: String]? = nil)
    throws -> WorkerProcess
  {
    let worker = try WorkerProcess(
      name: "\(label)-\(name)", environment: environment ?? self.environment,
      arguments: Self.workerArguments + extra)
    workers.append(worker)
    // Up and connected (its SIGTERM handler is installed before it connects): a SIGTERM that
    // came earlier would end the process the default way, not with a drain.
    try waitUntil("worker \(worker.name) to start", timeout: 30) {
      worker.log.contains("worker started") || !worker.process.isRunning
    }
    return worker
  }

  /// A query on a fresh connection (the cluster may have restarted since the last one).
  func value(_ sql: String, _ params: [PGValue] = []) throws -> String? {
    try cluster.connect().query(sql, params).string(0, 0)
  }

  /// Waits until `condition` holds (polled every 20 ms, database errors counting as "not yet").
  func waitUntil(_ what: String, timeout: Double = 60, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if (try? condition()) == true { return }
      Thread.sleep(forTimeInterval: 0.02)
    }
    throw FaultError("\(label): timed out after \(Int(timeout)) s waiting for \(what); \(diagnostics())")
  }

  /// Waits for the job to end; returns its state.
  @discardableResult
  func waitForJob(timeout: Double = 90) throws -> String {
    var state = "?"
    try waitUntil("job \(job) to end", timeout: timeout) {
      state = try value("SELECT state FROM jobs WHERE id = $1", [.int(job)]) ?? "?"
      return state != "running"
    }
    return state
  }

  /// The index of a shard `worker` holds now, if any.
  func shardHeld(by worker: WorkerProcess) throws -> Int? {
    try value(
      "SELECT idx FROM shards WHERE job_id = $1 AND state = 'running' AND lease_owner = $2 LIMIT 1",
      [.int(job), .text(worker.name)]
    ).flatMap { Int($0) }
  }

  func shardsDone() throws -> Int {
    Int(try value("SELECT shards_done FROM jobs WHERE id = $1", [.int(job)]) ?? "0") ?? 0
  }

  /// Waits until `worker` holds a shard after completing `skip` of its own (or the job is all
  /// but done), then `delay` seconds more; returns the shard it held.
  func waitForShard(of worker: WorkerProcess, after skip: Int, delay: Double) throws -> Int? {
    var held: Int?
    try waitUntil("\(worker.name) to hold its shard number \(skip + 1)", timeout: 30) {
      let completed =
        Int(
          try value(
            "SELECT count(*) FROM shard_attempts WHERE job_id = $1 AND owner = $2 AND outcome = 'completed'",
            [.int(job), .text(worker.name)]) ?? "0") ?? 0
      held = try shardHeld(by: worker)
      let nearlyDone = try shardsDone() >= FaultSettings.images.count - 1
      return (held != nil && completed >= skip) || nearlyDone
    }
    Thread.sleep(forTimeInterval: delay)
    return held
  }

  /// How many attempts of the job ended `outcome`.
  func attempts(_ outcome: String) throws -> Int {
    Int(
      try value(
        "SELECT count(*) FROM shard_attempts WHERE job_id = $1 AND outcome = $2",
        [.int(job), .text(outcome)]) ?? "0") ?? 0
  }

  /// Stops every worker with SIGTERM; returns their exit statuses (nil: had to be killed).
  func stopWorkers() -> [Int32?] { workers.map { $0.stop() } }

  /// `coordinator report --format json` without the job id (and the model URI with `anyModel`).
  func report(anyModel: Bool = true) throws -> String {
    let result = try ProcessRunner.run(
      "coordinator", ["report", "\(job)", "--format", "json"], environment: environment)
    guard result.status == 0 else { throw FaultError("report failed: \(result.stderr)") }
    return Self.normalized(result.stdout, anyModel: anyModel)
  }

  static func normalized(_ json: String, anyModel: Bool) -> String {
    var text = json.replacingOccurrences(
      of: #"^\{"job":[0-9]+,"#, with: "{", options: .regularExpression)
    if anyModel {
      text = text.replacingOccurrences(
        of: #""model":"openai:[^"]*""#, with: #""model":"*""#, options: .regularExpression)
    }
    return text
  }

  /// The figures are exact and nothing counted twice: one completed attempt per shard, the job's
  /// counters equal its totals, one metrics row per image and model.
  func checkCountedOnce() throws {
    let connection = try cluster.connect()
    let twice = try connection.query(
      """
      SELECT count(*) FROM (
        SELECT idx FROM shard_attempts WHERE job_id = $1 AND outcome = 'completed'
        GROUP BY idx HAVING count(*) > 1) AS t
      """, [.int(job)])
    #expect(twice.int(0, 0) == 0, "\(label): a shard was completed twice")
    let totals = try connection.query(
      """
      SELECT j.total_shards, j.shards_done, j.total_questions, j.questions_done,
        (SELECT count(DISTINCT idx) FROM shard_attempts a WHERE a.job_id = j.id AND a.outcome = 'completed'),
        (SELECT count(*) FROM re_image_metrics m WHERE m.job_id = j.id AND NOT m.is_reference),
        (SELECT count(*) FROM shards s WHERE s.job_id = j.id AND s.state = 'done')
      FROM jobs j WHERE j.id = $1
      """, [.int(job)])
    let total = totals.int(0, 0)
    #expect(totals.int(0, 1) == total, "\(label): shards_done")
    #expect(totals.int64(0, 3) == totals.int64(0, 2), "\(label): questions_done")
    #expect(totals.int(0, 4) == total, "\(label): completed attempts")
    #expect(totals.int(0, 5) == total, "\(label): metrics rows of the model")
    #expect(totals.int(0, 6) == total, "\(label): done shards")
  }

  /// `outcome` counts of the job's attempts, e.g. `completed=8 expired=1`.
  func attemptSummary() throws -> String {
    let rows = try cluster.connect().query(
      "SELECT outcome, count(*) FROM shard_attempts WHERE job_id = $1 GROUP BY outcome ORDER BY outcome",
      [.int(job)])
    return (0..<rows.count).map { "\(rows.string($0, 0) ?? "?")=\(rows.int($0, 1) ?? 0)" }
      .joined(separator: " ")
  }

  func diagnostics() -> String {
    let shards =
      (try? cluster.connect().query(
        "SELECT idx, state, attempt, lease_owner, error FROM shards WHERE job_id = $1 ORDER BY idx",
        [.int(job)]
      )).map { rows in
        (0..<rows.count).map {
          "\(rows.int($0, 0) ?? -1):\(rows.string($0, 1) ?? "?")#\(rows.int($0, 2) ?? 0)@\(rows.string($0, 3) ?? "-") \(rows.string($0, 4) ?? "")"
        }.joined(separator: "; ")
      } ?? "(shards unavailable)"
    let logs = workers.map { "--- \($0.name):\n\($0.log.suffix(1500))" }.joined(separator: "\n")
    return "shards: \(shards)\n\(logs)"
  }

  /// One line per fault for docs/reliability.md (grep `FAULT` in the test output).
  func record(_ fault: String, _ outcome: String) {
    let attempts = (try? attemptSummary()) ?? "?"
    FileHandle.standardError.write(Data("FAULT \(fault): \(outcome); attempts \(attempts)\n".utf8))
  }
}

/// A small seeded generator, so the random kill points replay identically.
struct SeededRandom: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
