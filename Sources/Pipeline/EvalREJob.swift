import Foundation
import Imaging
public import Logging
public import Model
public import Queue
public import Shards

/// What a user asks for with `coordinator enqueue eval-re`.
public struct EvalRERequest: Sendable {
  public var images: String?
  public var count: Int = 100
  public var seed: UInt64?
  public var grid: Int = 64
  public var perImage: Int?
  public var model: String = "baseline:thumbnail?k=8"
  public var locOrder: LocOrder = .yx
  public var onUnparsable: UnparsablePolicy = .worst
  public var imagesPerShard: Int = 1
  public var batch: Int = 4096
  public var maxPixels: Int = ImageDecoder.defaultMaxPixels
  public var store: String = "postgres"
  public var idempotencyKey: String?
  public var maxAttempts: Int = 3
  public var leaseSeconds: Int = 300

  public init() {}
}

/// Plans eval-re jobs: picks the images, makes each image's grid target once, and stores input
/// shards that carry the image bytes and targets (a worker then needs nothing but the database).
public enum EvalREJob {
  /// Checks every option and the model URI, and picks the images, before touching the database.
  public static func plan(_ request: EvalRERequest) throws -> EvalRESpec {
    guard let directory = request.images else {
      throw PipelineError(.badOption, "--images", "is required")
    }
    guard request.count >= 1 else {
      throw PipelineError(.badOption, "--count", "must be at least 1 (got \(request.count))")
    }
    guard (1...1024).contains(request.grid) else {
      throw PipelineError(.badOption, "--grid", "must be between 1 and 1024 (got \(request.grid))")
    }
    if let perImage = request.perImage, !(1...(request.grid * request.grid)).contains(perImage) {
      throw PipelineError(
        .badOption, "--per-image",
        "must be between 1 and \(request.grid * request.grid) (got \(perImage))")
    }
    guard request.imagesPerShard >= 1 else {
      throw PipelineError(.badOption, "--images-per-shard", "must be at least 1")
    }
    guard request.batch >= 1 else { throw PipelineError(.badOption, "--batch", "must be at least 1") }
    guard request.maxAttempts >= 1 else {
      throw PipelineError(.badOption, "--max-attempts", "must be at least 1")
    }
    do {
      try ModelFactory.validate(request.model)
    } catch {
      throw PipelineError(.badOption, "--model", "\(error)")
    }
    _ = try BlobStores.parse(request.store)
    let corpus = try ImageCorpus.directory(directory)
    guard corpus.images.count >= request.count else {
      throw PipelineError(
        .missingInput, directory,
        "holds \(corpus.images.count) images, fewer than --count \(request.count)")
    }
    var chosen = corpus.images
    if let seed = request.seed {
      // A seeded Fisher-Yates shuffle, then the first N in name order.
      for i in stride(from: chosen.count - 1, to: 0, by: -1) {
        let j = Int(QuestionSampler.mix(seed &+ UInt64(i)) % UInt64(i + 1))
        chosen.swapAt(i, j)
      }
      chosen = Array(chosen.prefix(request.count)).sorted {
        $0.utf8.lexicographicallyPrecedes($1.utf8)
      }
    } else {
      chosen = Array(chosen.prefix(request.count))
    }
    return EvalRESpec(
      imagesDirectory: corpus.root, images: chosen, grid: request.grid,
      perImage: request.perImage, seed: request.seed, model: request.model,
      locOrder: request.locOrder, onUnparsable: request.onUnparsable,
      imagesPerShard: request.imagesPerShard, batch: request.batch, maxPixels: request.maxPixels,
      store: request.store)
  }

  /// The cells asked about image number `n` of the job: all, or `perImage` distinct cells drawn
  /// as a pure function of (seed, n).
  public static func cells(spec: EvalRESpec, imageNumber n: Int) -> [UInt32] {
    let all = spec.grid * spec.grid
    guard let k = spec.perImage, k < all else { return (0..<UInt32(all)).map { $0 } }
    var pool = (0..<UInt32(all)).map { $0 }
    let seed = (spec.seed ?? 0) &+ QuestionSampler.mix(UInt64(n) &+ 0xE7A1)
    for i in 0..<k {
      let j = i + Int(QuestionSampler.mix(seed &+ UInt64(i)) % UInt64(all - i))
      pool.swapAt(i, j)
    }
    return pool.prefix(k).sorted()
  }

  /// One image's input record: its bytes and its grid target.
  public static func record(spec: EvalRESpec, imageNumber n: Int) throws -> REImageInput {
    let name = spec.images[n]
    let path = spec.imagesDirectory + "/" + name
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PipelineError(.missingInput, path, "cannot be read")
    }
    let bytes = [UInt8](data)
    let image = try ImageDecoder.decode(bytes, name: path, maxPixels: spec.maxPixels)
    let target = Resampler.bicubic(image, width: spec.grid, height: spec.grid)
    return REImageInput(
      image: name, encoded: bytes, grid: spec.grid, target: target.pixels,
      cells: cells(spec: spec, imageNumber: n))
  }

  public static func enqueue(
    _ spec: EvalRESpec, request: EvalRERequest, queue: WorkQueue, logger: Logger
  ) throws -> EnqueueResult {
    let json = try JobSpec.encode(spec)
    let store = try BlobStores.parse(spec.store)
    let job = request.newJob(kind: EvalRESpec.kind, json: json, totalQuestions: spec.questions)
    logger.info(
      "planning job",
      metadata: [
        "job.kind": "\(EvalRESpec.kind)", "job.questions": "\(spec.questions)",
        "job.shards": "\(spec.shardCount)", "job.model": "\(spec.model)",
      ])
    // Reading, decoding, resizing, compressing and hashing run on every core, a window ahead,
    // while this thread stores the finished shards in order in the job's transaction (the
    // server's work on one overlaps the making of the next).
    let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let producer = OrderedProducer(
      count: spec.shardCount, threads: threads, window: 4 * threads
    ) { k in try inputShard(spec: spec, index: k) }
    defer { producer.stop() }
    return try queue.enqueue(job, store: store) { sink in
      for k in 0..<spec.shardCount {
        let shard = try producer.take(k)
        try sink.add(bytes: shard.blob.bytes, digest: shard.blob.digest, questions: shard.questions)
      }
    }
  }

  /// Input shard `k`: its images' records, compressed and hashed.
  static func inputShard(spec: EvalRESpec, index k: Int) throws -> (blob: ShardBlob, questions: Int) {
    var writer = try ShardWriter(kind: .reInput, metadata: #"{"kind":"eval-re","shard":\#(k)}"#)
    var questions = 0
    for n in (k * spec.imagesPerShard)..<min((k + 1) * spec.imagesPerShard, spec.images.count) {
      let record = try record(spec: spec, imageNumber: n)
      questions += record.cells.count
      try writer.append(record)
    }
    return (try writer.finish(), questions)
  }
}
