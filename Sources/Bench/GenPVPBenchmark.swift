import ArgumentParser
import Foundation
import Imaging
import Pipeline
import Shards

struct GenPVPBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gen-pvp",
    abstract:
      "gen-pvp throughput and memory on one or more corpora, with the Pillow peer side by side.",
    discussion: """
      For each --images corpus (questions: --per-image x images unless --questions is given), in \
      process on one thread: the enqueue's header check of every image, the plan by image, the \
      input shards; libjpeg-turbo decoding alone (file read + decode to RGB) against gen-pvp's \
      shard work (decode, Pillow-exact resize, answers, output shard) on the images of the \
      first shards (--sample images). Planning the paper's 3.6M questions over 118k images is \
      timed on a made-up corpus of that size (planning reads no file).
      With --distributed, --runs rounds, each running back to back: the Pillow peer \
      (python3 bench/pillow_genpvp.py DIR QUESTIONS SEED, one core), the whole job with one \
      worker --concurrency 1 (coordinator enqueue, worker --exit-when-idle, coordinator status), \
      and with two workers; each prints wall time, questions/s, images/s, the workers' CPU and \
      the peak RSS of every process, then min and median. Before each PixelProbe run \
      `coordinator prune --older-than 0s --vacuum` deletes every finished job of the database \
      (so each run stores its blobs afresh): point it at a scratch database ($DATABASE_URL or \
      --database-url) and use release binaries.
      """)

  @Option(help: "Image directory (repeat for several corpora).") var images: [String] = ["data/photos"]
  @Option(help: "Questions per image (the paper: 3.6M over COCO's ~118k images, about 30).")
  var perImage: Int = 30
  @Option(help: "Questions (default: --per-image x the corpus's images).") var questions: Int?
  @Option(help: "Seed.") var seed: UInt64 = 0
  @Option(help: "Questions per shard.") var shardSize: Int = 10_000
  @Option(help: "Images decoded in process for the decode-only comparison.") var sample: Int = 2000
  @Flag(help: "Also run the whole job through PostgreSQL and worker processes, and the peer.")
  var distributed = false
  @Option(help: "Rounds of peer, one worker, two workers with --distributed.") var runs: Int = 3
  @Option(help: "Database URL with --distributed (default $DATABASE_URL).") var databaseURL: String?
  @Option(help: "Python with Pillow for the peer.") var python: String = "python3"
  @Option(help: "The peer script.") var peerScript: String = "bench/pillow_genpvp.py"

  func run() throws {
    try projectPlanning()
    for directory in images { try benchmark(directory) }
  }

  static func load() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first
      .map(String.init) ?? "?"
  }

  /// The planner at the paper's scale on a made-up corpus: time and the plan's own memory.
  func projectPlanning() throws {
    let (images, total) = (118_287, 3_600_000)
    let corpus = ImageCorpus(
      images: (0..<images).map { String(format: "train2017/%012d.jpg", $0) },
      imageIDs: (0..<images).map { Int64($0) }, slotImage: (0..<images).map { Int32($0) },
      root: "/coco")
    let spec = GenPVPSpec(
      imageRoot: corpus.root, captions: nil, questions: total, seed: seed, grid: 64, locOrder: .yx,
      shardSize: shardSize, maxPixels: ImageDecoder.defaultMaxPixels, store: "postgres",
      slots: images, images: images, corpusFingerprint: corpus.fingerprint)
    let clock = ContinuousClock()
    var planner: GenPVPPlanner!
    let planTime = clock.measure { planner = GenPVPPlanner(spec: spec, corpus: corpus) }
    var bytes = 0
    let shardTime = try clock.measure {
      for k in 0..<planner.shardCount { bytes += try planner.shard(k).blob.size }
    }
    print(
      "planning at the paper's scale: \(total) questions over \(images) images, shard size \(shardSize) (load \(Self.load()))"
    )
    print(
      String(
        format:
          "  plan by image %.3f s (counting sort; %.1f MB held: 4 bytes a question, 16 an image); %d input shards made in %.3f s (%.1f MB compressed)",
        planTime.seconds, Double(4 * total + 16 * images) / 1e6, planner.shardCount,
        shardTime.seconds, Double(bytes) / 1e6))
  }

  func benchmark(_ directory: String) throws {
    let clock = ContinuousClock()
    var corpus: ImageCorpus!
    let scanTime = try clock.measure { corpus = try ImageCorpus.directory(directory) }
    let count = corpus.images.count
    let total = questions ?? perImage * count
    var bad: [(image: Int, error: ImageError)] = []
    // Twice: the first pass may find the files out of the page cache, the second does not.
    let checkCold = clock.measure { bad = corpus.badImages(maxPixels: ImageDecoder.defaultMaxPixels) }
    let checkOne = clock.measure { bad = corpus.badImages(maxPixels: ImageDecoder.defaultMaxPixels) }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let checkAll = clock.measure {
      _ = corpus.badImages(maxPixels: ImageDecoder.defaultMaxPixels, threads: cores)
    }
    var request = GenPVPRequest()
    request.imageDirectory = directory
    request.questions = total
    request.seed = seed
    request.shardSize = shardSize
    var planner: GenPVPPlanner!
    let planTime = try clock.measure { planner = try GenPVPJob.plan(request) }
    var blobs: [ShardBlob] = []
    let shardTime = try clock.measure {
      for k in 0..<planner.shardCount { blobs.append(try planner.shard(k).blob) }
    }
    print("")
    print(
      "corpus \(directory): \(count) images, \(total) questions, shard size \(shardSize), \(planner.shardCount) shards (load \(Self.load()))"
    )
    print(
      String(
        format:
          "  enqueue side, 1 thread: directory scan %.3f s; header check (first pass %.3f s) %.3f s (%.0f us an image, %d bad; %d threads: %.3f s), so 118k images %.1f s; plan (scan + check + plan) %.3f s; input shards %.3f s",
        scanTime.seconds, checkCold.seconds, checkOne.seconds, checkOne.seconds * 1e6 / Double(count),
        bad.count, cores,
        checkAll.seconds, checkOne.seconds / Double(count) * 118_287, planTime.seconds, shardTime.seconds))
    try inProcess(planner: planner, blobs: blobs)
    if distributed { try runDistributed(directory, questions: total, images: count) }
  }

  /// Decode-only against the shard work, on the images of the first shards.
  func inProcess(planner: GenPVPPlanner, blobs: [ShardBlob]) throws {
    let clock = ContinuousClock()
    let work = GenPVPWork(spec: planner.spec, imageRoot: planner.corpus.root)
    var decodes = 0
    var answered = 0
    var used: [String] = []
    var workCPU = 0.0
    let workTime = try clock.measure {
      workCPU = try CPUClock.measure {
        for (k, blob) in blobs.enumerated() where decodes < sample {
          let reader = try ShardReader(
            bytes: blob.bytes, expectedDigest: blob.digest, expectedKind: .pvpInput, name: "bench \(k)")
          let result = try work.run(reader, shard: k)
          decodes += result.images
          answered += result.questions
          used += planner.records(ofShard: k).map(\.image)
        }
      }.seconds
    }
    let baseline = try TurboJPEGBaseline()
    var decoded = 0
    var decodeCPU = 0.0
    let decodeTime = try clock.measure {
      decodeCPU = try CPUClock.measure {
        for image in used {
          let bytes = [UInt8](
            try Data(
              contentsOf: URL(fileURLWithPath: ImageCorpus.path(root: planner.corpus.root, image: image))))
          if baseline.decode(bytes) != nil { decoded += 1 }
        }
      }.seconds
    }
    let ours = Double(decodes) / workTime.seconds
    let alone = Double(decoded) / decodeTime.seconds
    print(
      String(
        format:
          "  worker side, 1 thread, %d images: libjpeg-turbo decode alone %.1f images/s (%.1f per CPU second) | gen-pvp shard work %.1f images/s (%.1f per CPU second), %.0f questions/s: %.2fx the decode-only time (CPU: %.2fx)",
        decodes, alone, Double(decoded) / decodeCPU, ours, Double(decodes) / workCPU,
        Double(answered) / workTime.seconds, alone / ours,
        workCPU / decodeCPU * Double(decoded) / Double(decodes))
        + " (load \(Self.load()))")
  }

  struct Round {
    var load: String
    var peer: Double
    var peerCPU: Double
    var peerRSS: Int
    var one: DistributedRun.Timing
    var two: DistributedRun.Timing
  }

  func runDistributed(_ directory: String, questions total: Int, images: Int) throws {
    let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
    var rounds: [Round] = []
    for round in 1...max(1, runs) {
      let load = Self.load()
      let peer = try runPeer(directory, questions: total)
      let one = try runJob(directory, questions: total, workers: 1, url: url)
      let two = try runJob(directory, questions: total, workers: 2, url: url)
      rounds.append(
        Round(load: load, peer: peer.seconds, peerCPU: peer.cpu, peerRSS: peer.rss, one: one, two: two))
      func describe(_ t: DistributedRun.Timing) -> String {
        String(
          format:
            "%.2f s (enqueue %.2f, work %.2f; %.0f q/s, %.0f images/s; CPU: workers %.1f s, all processes %.1f s; RSS MB: coordinator %d, workers ",
          t.enqueue + t.work, t.enqueue, t.work, Double(total) / (t.enqueue + t.work),
          Double(images) / (t.enqueue + t.work), t.workerCPU ?? 0, t.totalCPU, t.enqueueRSS)
          + t.workerRSS.map(String.init).joined(separator: "/") + ")"
      }
      print("  round \(round) (load \(load)):")
      print(
        String(
          format:
            "    Pillow peer, 1 core:  %.2f s (%.0f images/s; CPU %.1f s with the interpreter's start; RSS %d MB)",
          peer.seconds, Double(images) / peer.seconds, peer.cpu, peer.rss))
      print("    PixelProbe 1 worker:  \(describe(one))")
      print("    PixelProbe 2 workers: \(describe(two))")
    }
    func stats(_ values: [Double]) -> (min: Double, median: Double) {
      let sorted = values.sorted()
      let n = sorted.count
      return (sorted[0], n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2)
    }
    let peer = stats(rounds.map(\.peer))
    let one = stats(rounds.map { $0.one.enqueue + $0.one.work })
    let two = stats(rounds.map { $0.two.enqueue + $0.two.work })
    let oneCPU = stats(rounds.map { $0.one.workerCPU ?? 0 })
    let twoWork = stats(rounds.map(\.two.work))
    let twoEnqueue = stats(rounds.map(\.two.enqueue))
    let peerCPU = stats(rounds.map(\.peerCPU))
    let oneTotalCPU = stats(rounds.map(\.one.totalCPU))
    print(
      String(
        format:
          "    CPU seconds (load-proof): Pillow peer min %.1f, median %.1f | 1-worker job, all processes, min %.1f, median %.1f: %.2fx (median %.2fx)",
        peerCPU.min, peerCPU.median, oneTotalCPU.min, oneTotalCPU.median, peerCPU.min / oneTotalCPU.min,
        peerCPU.median / oneTotalCPU.median))
    let rss = rounds.flatMap { [$0.one.enqueueRSS, $0.two.enqueueRSS] + $0.one.workerRSS + $0.two.workerRSS }
    print(
      "  summary over \(rounds.count) rounds (loads \(rounds.map(\.load).joined(separator: ", "))), enqueue to done:"
    )
    print(
      String(
        format:
          "    Pillow peer min %.2f s, median %.2f s | 1 worker min %.2f s, median %.2f s: %.2fx Pillow (median %.2fx)",
        peer.min, peer.median, one.min, one.median, peer.min / one.min, peer.median / one.median))
    print(
      String(
        format:
          "    2 workers min %.2f s, median %.2f s: %.0f questions/s, %.0f images/s (min); per core (1 worker's CPU) %.1f images/s",
        two.min, two.median, Double(total) / two.min, Double(images) / two.min, Double(images) / oneCPU.min))
    print(
      "    peak RSS of any PixelProbe process \(rss.max() ?? 0) MB; Pillow peer \(rounds.map(\.peerRSS).max() ?? 0) MB"
    )
    // The paper's job: enqueue grows with the questions, the work with the images.
    let (paperQuestions, paperImages) = (3_600_000.0, 118_287.0)
    let enqueue = twoEnqueue.min * paperQuestions / Double(total)
    let work = twoWork.min * paperImages / Double(images)
    let perCore = Double(images) / oneCPU.min
    print(
      String(
        format:
          "    projection to 3.6M questions over 118k images: this machine (2 workers) %.0f s (enqueue %.0f s + work %.0f s); each added core %.0f images/s, so N cores about %.0f/N s of work",
        enqueue + work, enqueue, work, perCore, paperImages / perCore))
  }

  func runPeer(_ directory: String, questions total: Int) throws -> (seconds: Double, cpu: Double, rss: Int) {
    let script = peerScript
    let pythonPath =
      python.hasPrefix("/")
      ? python
      : (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        .map { "\($0)/\(python)" }.first { FileManager.default.isExecutableFile(atPath: $0) } ?? python
    let process = try ChildProcess(
      path: pythonPath, arguments: [script, directory, "\(total)", "\(seed)"],
      environment: ProcessInfo.processInfo.environment, captureOutput: true)
    let text = process.readOutput()
    guard process.wait() == 0,
      let range = text.range(of: #"in [0-9.]+ s"#, options: .regularExpression),
      let seconds = Double(text[range].dropFirst(3).dropLast(2))
    else { throw ValidationError("the Pillow peer failed: \(text)") }
    return (seconds, process.cpuSeconds, process.peakRSS)
  }

  func runJob(_ directory: String, questions total: Int, workers: Int, url: String) throws
    -> DistributedRun.Timing
  {
    let run = DistributedRun(databaseURL: url, workers: workers)
    _ = try run.output("coordinator", ["prune", "--older-than", "0s", "--vacuum"])
    return try run.run(
      enqueueArguments: [
        "enqueue", "gen-pvp", "--images", directory, "--questions", "\(total)", "--seed", "\(seed)",
        "--shard-size", "\(shardSize)", "--idempotency-key", "bench-\(UUID())",
      ],
      finish: { ["status", "\($0)"] })
  }
}
