import Foundation
public import Logging
public import Model
public import Queue

/// What a user asks for with `coordinator enqueue gen-pvp`.
public struct GenPVPRequest: Sendable {
  /// A directory of images (one sample slot per image)...
  public var imageDirectory: String?
  /// ...or a COCO-caption JSON (one slot per row) with `imageRoot`.
  public var captions: String?
  public var imageRoot: String?
  public var questions: Int = 3_600_000
  public var seed: UInt64 = 0
  public var grid: Int = 64
  public var locOrder: LocOrder = .yx
  public var shardSize: Int = 10_000
  public var maxPixels: Int = 178_956_970
  /// Leave out images whose header check fails (listed in the plan) instead of refusing the job.
  public var skipBadImages = false
  public var store: String = "postgres"
  public var idempotencyKey: String?
  public var maxAttempts: Int = 3
  public var leaseSeconds: Int = 120

  public init() {}
}

/// Enqueues gen-pvp jobs: validates, plans and stores every input shard in one transaction.
public enum GenPVPJob {
  /// Reads the corpus and checks every option, before anything touches the database.
  public static func plan(_ request: GenPVPRequest) throws -> GenPVPPlanner {
    var corpus: ImageCorpus
    switch (request.imageDirectory, request.captions) {
    case (let directory?, nil):
      corpus = try ImageCorpus.directory(directory)
    case (nil, let captions?):
      guard let root = request.imageRoot else {
        throw PipelineError(.badOption, "--image-root", "is required with --captions")
      }
      corpus = try ImageCorpus.captions(json: captions, root: root)
    case (nil, nil):
      throw PipelineError(.badOption, "--images", "give --images DIR or --captions JSON")
    case (_?, _?):
      throw PipelineError(.badOption, "--images", "give either --images or --captions, not both")
    }
    func spec(_ corpus: ImageCorpus) -> GenPVPSpec {
      GenPVPSpec(
        imageRoot: corpus.root, captions: request.captions, questions: request.questions,
        seed: request.seed, grid: request.grid, locOrder: request.locOrder,
        shardSize: request.shardSize, maxPixels: request.maxPixels, store: request.store,
        slots: corpus.slotCount, images: corpus.images.count,
        corpusFingerprint: corpus.fingerprint)
    }
    try spec(corpus).validate()
    guard request.maxAttempts >= 1 else {
      throw PipelineError(
        .badOption, "--max-attempts", "must be at least 1 (got \(request.maxAttempts))")
    }
    guard request.leaseSeconds >= 1 else {
      throw PipelineError(
        .badOption, "--lease-seconds", "must be at least 1 (got \(request.leaseSeconds))")
    }
    _ = try BlobStores.parse(request.store)
    // Every image's header, before anything is stored: a file that is not an image, cut before
    // its pixels or too large fails here rather than in a worker after compute is spent.
    let bad = corpus.badImages(
      maxPixels: request.maxPixels, threads: ProcessInfo.processInfo.activeProcessorCount)
    if let first = bad.first, !request.skipBadImages {
      let others =
        bad.count > 1
        ? " (and \(bad.count - 1) more bad images; --skip-bad-images leaves them out)"
        : " (--skip-bad-images leaves it out)"
      throw PipelineError(
        .badImage, first.error.file, "\(first.error.code.rawValue): \(first.error.detail)\(others)")
    }
    if !bad.isEmpty {
      corpus = corpus.removing(Set(bad.map(\.image)))
      guard corpus.slotCount > 0 else {
        throw PipelineError(.emptyCorpus, corpus.root, "every image failed its header check")
      }
    }
    var planner = GenPVPPlanner(spec: spec(corpus), corpus: corpus)
    planner.skipped = bad.map(\.error)
    return planner
  }

  /// Stores the planned job and all its input shards in one transaction.
  public static func enqueue(
    _ planner: GenPVPPlanner, request: GenPVPRequest, queue: WorkQueue, logger: Logger
  ) throws -> EnqueueResult {
    let (spec, corpus) = (planner.spec, planner.corpus)
    let store = try BlobStores.parse(spec.store)
    let json = try JobSpec.encode(spec)
    let job = request.newJob(kind: GenPVPSpec.kind, json: json, totalQuestions: spec.questions)
    logger.info(
      "planning job",
      metadata: [
        "job.kind": "\(GenPVPSpec.kind)", "job.questions": "\(spec.questions)",
        "job.shards": "\(planner.shardCount)", "corpus.images": "\(corpus.images.count)",
        "corpus.slots": "\(corpus.slotCount)",
      ])
    return try queue.enqueue(job, store: store) { sink in
      for k in 0..<planner.shardCount {
        let (blob, questions) = try planner.shard(k)
        try sink.add(bytes: blob.bytes, digest: blob.digest, questions: questions)
      }
    }
  }
}
