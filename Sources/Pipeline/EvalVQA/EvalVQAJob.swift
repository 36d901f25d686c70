import Foundation
import Imaging
public import Logging
public import Model
public import Queue
import Refer
public import Shards

/// What a user asks for with `coordinator enqueue eval-vqa`.
public struct EvalVQARequest: Sendable {
  public var benchmark: VQABenchmark?
  public var data: String?
  public var imageRoot: String?
  public var limit: Int?
  public var seed: UInt64?
  public var model: String = "baseline:prior"
  public var questionsPerShard: Int = 64
  public var maxPixels: Int = ImageDecoder.defaultMaxPixels
  public var store: String = "postgres"
  public var idempotencyKey: String?
  public var maxAttempts: Int = 3
  public var leaseSeconds: Int = 300

  public init() {}
}

/// One chosen question with its place in the job.
public struct PlannedVQAQuestion: Sendable, Equatable {
  public var ordinal: Int
  public var shard: Int
  public var item: VQAItem
  public var prompt: String
}

/// A planned eval-vqa job: its spec, the chosen questions in job order, and each shard's images
/// (every image in exactly one shard, with all its questions).
public struct EvalVQAPlan: Sendable {
  public var spec: EvalVQASpec
  public var questions: [PlannedVQAQuestion]
  /// Per shard, its images in first-appearance order, each with its questions' indices into
  /// `questions`.
  public var shards: [[(image: String, questions: [Int])]]
}

/// Plans eval-vqa jobs: reads the benchmark file, draws the subset, checks every image, and
/// stores input shards that carry each image once with its questions; the subset is recorded in
/// `vqa_questions` in the same transaction.
public enum EvalVQAJob {
  /// Checks the options and the model, reads the file, draws the subset and reads and decodes
  /// every chosen image, before anything touches the database.
  public static func plan(_ request: EvalVQARequest) throws -> EvalVQAPlan {
    guard let benchmark = request.benchmark else {
      throw PipelineError(
        .badOption, "--benchmark",
        "is required (\(VQABenchmark.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    guard let data = request.data else { throw PipelineError(.badOption, "--data", "is required") }
    guard let imageRoot = request.imageRoot else {
      throw PipelineError(.badOption, "--image-root", "is required")
    }
    if let limit = request.limit, limit < 1 {
      throw PipelineError(.badOption, "--limit", "must be at least 1 (got \(limit))")
    }
    guard request.questionsPerShard >= 1 else {
      throw PipelineError(
        .badOption, "--questions-per-shard", "must be at least 1 (got \(request.questionsPerShard))")
    }
    guard request.maxAttempts >= 1 else {
      throw PipelineError(.badOption, "--max-attempts", "must be at least 1")
    }
    try validateModel(request.model)
    do {
      _ = try BlobStores.parse(request.store)
    } catch {
      throw PipelineError(.badOption, "--store", "\(error)")
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: imageRoot, isDirectory: &isDirectory), isDirectory.boolValue
    else { throw PipelineError(.missingInput, "--image-root", "\(imageRoot) is not a directory") }

    let dataset = try VQADataset.load(benchmark, path: data)
    let chosen = subset(count: dataset.items.count, limit: request.limit, seed: request.seed)
    // Group by image: an image's questions share a shard (and one decode, one encoding).
    var order: [String] = []
    var byImage: [String: [Int]] = [:]
    for (position, index) in chosen.enumerated() {
      let image = dataset.items[index].image
      if byImage[image] == nil { order.append(image) }
      byImage[image, default: []].append(position)
    }
    var shards: [[(image: String, questions: [Int])]] = [[]]
    var inShard = 0
    for image in order {
      if inShard >= request.questionsPerShard {
        shards.append([])
        inShard = 0
      }
      shards[shards.count - 1].append((image, byImage[image]!))
      inShard += byImage[image]!.count
    }
    var shardOf = [Int](repeating: 0, count: chosen.count)
    for (k, images) in shards.enumerated() {
      for entry in images { for position in entry.questions { shardOf[position] = k } }
    }
    let questions = chosen.enumerated().map { position, index in
      let item = dataset.items[index]
      return PlannedVQAQuestion(
        ordinal: position, shard: shardOf[position], item: item,
        prompt: benchmark.prompt(question: item.question, choices: item.truth.choices))
    }
    let spec = EvalVQASpec(
      benchmark: benchmark, data: data, imageRoot: imageRoot, available: dataset.items.count,
      questions: questions.count, images: order.count, limit: request.limit, seed: request.seed,
      model: request.model, prior: dataset.prior, questionsPerShard: request.questionsPerShard,
      shards: shards.count, maxPixels: request.maxPixels, store: request.store)
    let plan = EvalVQAPlan(spec: spec, questions: questions, shards: shards)
    // Every image is read and decoded now: a missing or broken one fails the enqueue, naming it
    // and a question that asks about it.
    for images in shards {
      for entry in images {
        let question = questions[entry.questions[0]].item
        _ = try readImage(entry.image, spec: spec, question: question.questionID)
      }
    }
    return plan
  }

  /// Baselines that cannot answer VQA questions are refused here, not by every worker.
  static func validateModel(_ uri: String) throws {
    do {
      let model = try ModelFactory.make(uri)
      if let baseline = model as? BaselineModel, baseline.kind != .oracle, baseline.kind != .prior {
        throw PipelineError(
          .badOption, "--model",
          "\(uri) answers no VQA questions (baselines here: baseline:prior, baseline:oracle)")
      }
    } catch let error as PipelineError {
      throw error
    } catch {
      throw PipelineError(.badOption, "--model", "\(error)")
    }
  }

  /// Indices of the chosen questions, ascending: every question, the first `limit`, or (with a
  /// seed) `limit` drawn by a SplitMix64 Fisher-Yates shuffle and put back in file order.
  public static func subset(count: Int, limit: Int?, seed: UInt64?) -> [Int] {
    let size = min(limit ?? count, count)
    guard let seed else { return Array(0..<size) }
    var indices = Array(0..<count)
    var generator = SplitMix64(state: seed)
    for i in 0..<size {
      let j = i + Int(generator.next(below: UInt64(count - i)))
      indices.swapAt(i, j)
    }
    return indices[0..<size].sorted()
  }

  /// An image's bytes, checked to decode (within --max-pixels).
  static func readImage(_ image: String, spec: EvalVQASpec, question: String) throws -> [UInt8] {
    let path = spec.imageRoot + "/" + image
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
      let data = FileManager.default.contents(atPath: path)
    else {
      throw PipelineError(
        .missingInput, path, "image of \(spec.benchmark.title) question \(question) is missing or unreadable")
    }
    let bytes = [UInt8](data)
    do {
      _ = try ImageDecoder.decode(bytes, name: path, maxPixels: spec.maxPixels)
    } catch {
      throw PipelineError(.badImage, path, "\(error) (question \(question))")
    }
    return bytes
  }

  /// Shard k's input records.
  public static func records(plan: EvalVQAPlan, shard k: Int) throws -> [VQAImageInput] {
    try plan.shards[k].map { entry in
      let first = plan.questions[entry.questions[0]].item.questionID
      return VQAImageInput(
        image: entry.image, encoded: try readImage(entry.image, spec: plan.spec, question: first),
        questions: entry.questions.map { position in
          let planned = plan.questions[position]
          return VQAQuestionInput(
            ordinal: planned.ordinal, questionID: planned.item.questionID, prompt: planned.prompt,
            answers: planned.item.truth.answers, choices: planned.item.truth.choices,
            answerIndex: planned.item.truth.answerIndex ?? -1, answerType: planned.item.answerType)
        })
    }
  }

  public static func enqueue(
    _ plan: EvalVQAPlan, request: EvalVQARequest, queue: WorkQueue, logger: Logger
  ) throws -> EnqueueResult {
    let spec = plan.spec
    let json = try JobSpec.encode(spec)
    let store = try BlobStores.parse(spec.store)
    let job = request.newJob(kind: EvalVQASpec.kind, json: json, totalQuestions: spec.questions)
    logger.info(
      "planning job",
      metadata: [
        "job.kind": "\(EvalVQASpec.kind)", "job.benchmark": "\(spec.benchmark.rawValue)",
        "job.questions": "\(spec.questions)", "job.shards": "\(spec.shards)", "job.model": "\(spec.model)",
      ])
    return try queue.enqueue(job, store: store) { sink in
      let jobID = sink.jobID
      _ = try sink.connection.copyIn(
        """
        COPY vqa_questions (job_id, ordinal, question_id, image, question, prompt, answers,
          choices, answer_index, answer_type, idx) FROM STDIN
        """,
        rows: plan.questions.map { q in
          [
            .int(jobID), .int(Int64(q.ordinal)), .text(q.item.questionID), .text(q.item.image),
            .text(q.item.question), .text(q.prompt), .text(jsonArray(q.item.truth.answers)),
            .text(jsonArray(q.item.truth.choices)), q.item.truth.answerIndex.map { .int(Int64($0)) } ?? .null,
            .text(q.item.answerType), .int(Int64(q.shard)),
          ]
        })
      for k in 0..<spec.shards {
        var writer = try ShardWriter(kind: .vqaInput, metadata: #"{"kind":"eval-vqa","shard":\#(k)}"#)
        for record in try records(plan: plan, shard: k) { try writer.append(record) }
        let blob = try writer.finish()
        let questions = plan.shards[k].reduce(0) { $0 + $1.questions.count }
        try sink.add(bytes: blob.bytes, digest: blob.digest, questions: questions)
      }
    }
  }

  static func jsonArray(_ strings: [String]) -> String {
    "[" + strings.map(jsonLiteral).joined(separator: ",") + "]"
  }
}

extension EvalVQARequest: JobSettings {}
