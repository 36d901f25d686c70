import ArgumentParser
import Foundation
import Pipeline
import Shards

struct GenPVPBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gen-pvp",
    abstract:
      "gen-pvp throughput: planning and shard work in process (one core), and optionally the whole distributed job.",
    discussion: """
      In-process figures time the planner and GenPVPWork (decode, Pillow-exact resize, answers, \
      output shard) on one thread. With --distributed, the job also runs for real: coordinator \
      enqueue, N worker processes with --exit-when-idle, coordinator wait; it prints the wall time \
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
      for k in 0..<planner.shardCount { blobs.append(try planner.shard(k).blob) }
    }
    let work = GenPVPWork(spec: planner.spec, imageRoot: planner.corpus.root)
    var decodes = 0
    var answered = 0
    let workTime = try clock.measure {
      for (k, blob) in blobs.enumerated() {
        let reader = try ShardReader(
          bytes: blob.bytes, expectedDigest: blob.digest, expectedKind: .pvpInput, name: "bench \(k)")
        let result = try work.run(reader, shard: k)
        decodes += result.images
        answered += result.questions
      }
    }
    let seconds = workTime.seconds
    print("gen-pvp in process (1 thread): \(questions) questions over \(planner.corpus.images.count) images")
    print(String(format: "  corpus scan        %8.3f s", planTime.seconds))
    print(
      String(
        format: "  plan + input shards %7.3f s  (%d shards, %.0f questions/s)",
        shardTime.seconds, blobs.count, Double(questions) / shardTime.seconds))
    print(
      String(
        format:
          "  shard work         %8.3f s  %10.0f questions/s  %8.1f images/s  (%.3f ms per image decode+resize+answers)",
        seconds, Double(answered) / seconds, Double(decodes) / seconds, seconds * 1000 / Double(decodes)))
    if distributed { try runDistributed() }
  }

  func runDistributed() throws {
    let run = DistributedRun(
      databaseURL: databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "",
      workers: workers)
    let timing = try run.run(
      enqueueArguments: [
        "enqueue", "gen-pvp", "--images", images, "--questions", "\(questions)", "--seed", "\(seed)",
        "--shard-size", "\(shardSize)", "--idempotency-key", "bench-\(UUID())",
      ],
      finish: { ["status", "\($0)"] })
    print("gen-pvp distributed: job \(timing.job), \(workers) worker processes")
    print(String(format: "  enqueue (plan + store shards, one transaction) %.3f s", timing.enqueue))
    print(
      String(
        format: "  workers until idle %.3f s; enqueue to done %.3f s: %.0f questions/s",
        timing.work, timing.enqueue + timing.work, Double(questions) / (timing.enqueue + timing.work)))
    print("  peak RSS of the largest child process (a worker or the coordinator): \(timing.peakChildRSS) MB")
  }
}
