import ArgumentParser
import Foundation
import Pipeline
import Shards

struct GenPVPBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gen-pvp",
    abstract: "gen-pvp throughput: planning and shard work in process (one core), and optionally the whole distributed job.",
    discussion: """
      In-process figures time the planner and GenPVPWork (decode, Pillow-exact resize, answers,
      output shard) on one thread. With --distributed, the job also runs for real: coordinator
      enqueue, N worker processes with --exit-when-idle, coordinator wait; it prints the wall time
      and the workers' peak RSS (needs $DATABASE_URL or --database-url, and release binaries).
      Peer: python3 bench/pillow_genpvp.py DIR QUESTIONS SEED SHARD_SIZE.
      """)

  @Option(help: "Image directory.") var images: String = "data/photos"
  @Option(help: "Questions.") var questions: Int = 200_000
  @Option(help: "Seed.") var seed: UInt64 = 0
  @Option(help: "Questions per shard.") var shardSize: Int = 10_000
  @Flag(help: "Also run the whole job through PostgreSQL and worker processes.") var distributed = false
  @Option(help: "Worker processes with --distributed.") var workers: Int = 2
  @Option(help: "Database URL with --distributed (default $DATABASE_URL).") var databaseURL: String?

  func run() throws {
    var request = GenPVPRequest()
    request.imageDirectory = images
    request.questions = questions
    request.seed = seed
    request.shardSize = shardSize
    let clock = ContinuousClock()
    var planner: GenPVPPlanner!
    let planTime = try clock.measure { planner = try GenPVPJob.plan(request) }
    var blobs: [ShardBlob] = []
    let shardTime = try clock.measure {
      for k in 0..<planner.spec.shardCount { blobs.append(try planner.shard(k).blob) }
    }
    let work = GenPVPWork(spec: planner.spec, imageRoot: planner.corpus.root)
    var decodes = 0
    var answered = 0
    let workTime = try clock.measure {
      for (k, blob) in blobs.enumerated() {
        var reader = try ShardReader(
          bytes: blob.bytes, expectedDigest: blob.digest, expectedKind: .pvpInput, name: "bench \(k)")
        let result = try work.run(&reader, shard: k)
        decodes += result.images
        answered += result.questions
      }
    }
    let seconds = workTime.seconds
    print("gen-pvp in process (1 thread): \(questions) questions over \(planner.corpus.images.count) images")
    print(String(format: "  corpus scan        %8.3f s", planTime.seconds))
    print(String(format: "  plan + input shards %7.3f s  (%d shards, %.0f questions/s)",
      shardTime.seconds, blobs.count, Double(questions) / shardTime.seconds))
    print(String(format: "  shard work         %8.3f s  %10.0f questions/s  %8.1f images/s  (%.3f ms per image decode+resize+answers)",
      seconds, Double(answered) / seconds, Double(decodes) / seconds, seconds * 1000 / Double(decodes)))
    if distributed { try runDistributed() }
  }

  func runDistributed() throws {
    let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    var env = ProcessInfo.processInfo.environment
    env["DATABASE_URL"] = url
    func launch(_ tool: String, _ arguments: [String], stdout: Pipe? = nil) throws -> Process {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: bin + "/" + tool)
      process.arguments = arguments
      process.environment = env
      if let stdout { process.standardOutput = stdout }
      try process.run()
      return process
    }
    let clock = ContinuousClock()
    let start = clock.now
    let pipe = Pipe()
    let enqueue = try launch(
      "coordinator",
      ["enqueue", "gen-pvp", "--images", images, "--questions", "\(questions)", "--seed",
       "\(seed)", "--shard-size", "\(shardSize)", "--idempotency-key", "bench-\(UUID())"],
      stdout: pipe)
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    enqueue.waitUntilExit()
    guard enqueue.terminationStatus == 0,
      let job = Int(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    else { throw ValidationError("enqueue failed") }
    let enqueued = clock.now
    let processes = try (0..<workers).map { n in
      try launch("worker", ["--exit-when-idle", "--concurrency", "1", "--name", "bench-\(n)"])
    }
    for process in processes { process.waitUntilExit() }
    let done = clock.now
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    let total = (done - start).seconds
    print("gen-pvp distributed: job \(job), \(workers) worker processes")
    print(String(format: "  enqueue (plan + store shards, one transaction) %.3f s", (enqueued - start).seconds))
    print(String(format: "  workers until idle %.3f s; enqueue to done %.3f s: %.0f questions/s",
      (done - enqueued).seconds, total, Double(questions) / total))
    print("  peak RSS of the largest child process: \(usage.ru_maxrss / 1024) MB")
  }
}

extension Duration {
  var seconds: Double {
    Double(components.seconds) + Double(components.attoseconds) / 1e18
  }
}
