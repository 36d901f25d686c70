import Foundation
import Imaging
public import Model
public import Queue
public import Shards

/// Runs one claimed eval-re shard: asks the model every cell of each image, parses the answers,
/// stores the per-question results shard, and hands back per-image metric rows (the model's and
/// the reference baselines') for the completing transaction.
public struct EvalREExecutor: ShardExecutor {
  public init() {}

  public func execute(_ shard: ClaimedShard, context: ExecutionContext) throws -> ShardOutput {
    let spec: EvalRESpec = try JobSpec.decode(shard)
    let name = shard.name
    let store = try BlobStores.parse(spec.store)
    let input = try ShardInput.open(
      shard, store: store, kind: .reInput, connection: context.connection)
    let model = try shard.model(spec.model)
    var writer = try ShardWriter(
      kind: .reOutputCompact, metadata: #"{"kind":"eval-re","shard":\#(shard.index)}"#)
    var rows: [REMetricRow] = []
    var questions = 0
    var cache = QuestionCache()
    while let record: REImageInput = try input.next() {
      if context.isCancelled() {
        throw ShardFailure(retryable: true, code: "cancelled", message: "\(name): lease lost")
      }
      let (output, imageRows) = try evaluate(
        record, spec: spec, model: model, shardName: name, questions: &cache)
      try writer.append(REImageOutputCompact(output))
      rows.append(contentsOf: imageRows)
      questions += record.cells.count
    }
    let (jobID, index) = (shard.jobID, Int64(shard.index))
    return try shard.output(
      writer.finish(), store: store, context: context, questions: questions,
      copy: """
        COPY re_image_metrics (job_id, idx, image, model, is_reference, questions, unparsable,
          scored, sum_abs_r, sum_abs_g, sum_abs_b) FROM STDIN
        """,
      rows: rows.map { $0.copyRow(job: jobID, shard: index) })
  }

  /// The questions about one image's cells. Every image of a job is usually asked about the same
  /// cells (all of them), so the question texts are built once and shared, not rebuilt per image.
  public struct QuestionCache {
    var cells: [UInt32] = []
    var grid = 0
    var order = LocOrder.yx
    var questions: [ModelQuestion] = []

    public init() {}

    mutating func questions(cells: [UInt32], grid: Int, order: LocOrder) -> [ModelQuestion] {
      if cells != self.cells || grid != self.grid || order != self.order || questions.isEmpty {
        questions = cells.map { cell in
          ModelQuestion.pixel(row: Int(cell) / grid, col: Int(cell) % grid, order: order)
        }
        self.cells = cells
        self.grid = grid
        self.order = order
      }
      return questions
    }
  }

  /// One image: the model's answers and metrics, plus the reference baselines on the same cells.
  public func evaluate(
    _ record: REImageInput, spec: EvalRESpec, model: any VisionLanguageModel, shardName: String
  ) throws -> (REImageOutput, [REMetricRow]) {
    var cache = QuestionCache()
    return try evaluate(
      record, spec: spec, model: model, shardName: shardName, questions: &cache)
  }

  /// As above, reusing the questions of the previous image when its cells were the same.
  public func evaluate(
    _ record: REImageInput, spec: EvalRESpec, model: any VisionLanguageModel, shardName: String,
    questions cache: inout QuestionCache
  ) throws -> (REImageOutput, [REMetricRow]) {
    let rgb: RGBImage
    do {
      rgb = try ImageDecoder.decode(record.encoded, name: record.image, maxPixels: spec.maxPixels)
    } catch {
      throw ShardFailure(retryable: false, code: "bad-image", message: "\(shardName): \(error)")
    }
    let target = RGBImage(width: record.grid, height: record.grid, pixels: record.target)
    let image = ModelImage(
      name: record.image, encoded: record.encoded, rgb: rgb, grid: record.grid, target: target)
    let questions = cache.questions(cells: record.cells, grid: record.grid, order: spec.locOrder)
    var answers: [String] = []
    answers.reserveCapacity(questions.count)
    var start = 0
    while start < questions.count {
      let end = min(start + spec.batch, questions.count)
      let batch = Array(questions[start..<end])
      let got = try ModelCall.answers(
        batch, model: model, image: image, context: "\(shardName): \(record.image)")
      answers.append(contentsOf: got)
      start = end
    }
    let parsed: [RGBColour?] = answers.map { text in
      AnswerParser.pixel(text).map { RGBColour(r: $0.r, g: $0.g, b: $0.b) }
    }
    var rows = [
      REMetricRow.score(
        image: record.image, model: spec.model, isReference: false, cells: record.cells,
        target: record.target, predictions: parsed, policy: spec.onUnparsable)
    ]
    // References on the same cells: the mean colour and thumbnails of every reference size.
    let references =
      [BaselineModel(kind: .mean)]
      + EvalRESpec.referenceThumbnails.map { BaselineModel(kind: .thumbnail(k: $0)) }
    let others = references.filter { $0.uri != spec.model }
    for (reference, reconstruction) in zip(
      others, try BaselineModel.reconstructions(of: image, by: others))
    {
      rows.append(
        REMetricRow.score(
          image: record.image, model: reference.uri, cells: record.cells, target: record.target,
          reconstruction: reconstruction.pixels))
    }
    let output = REImageOutput(
      image: record.image, grid: record.grid, target: record.target, cells: record.cells,
      answers: answers, parsed: parsed)
    return (output, rows)
  }
}

/// One image's error sums for one model: a row of `re_image_metrics`.
public struct REMetricRow: Sendable, Equatable {
  var image: String
  var model: String
  var isReference: Bool
  var questions: Int
  var unparsable: Int
  /// Questions in the error sums (all with `worst`; the parsed ones with `skip`).
  var scored: Int
  var sumAbs: [Int64]

  static func score(
    image: String, model: String, isReference: Bool, cells: [UInt32], target: [UInt8],
    predictions: [[UInt8]?], policy: UnparsablePolicy
  ) -> REMetricRow {
    score(
      image: image, model: model, isReference: isReference, cells: cells, target: target,
      predictions: predictions.map { $0.map { RGBColour(r: $0[0], g: $0[1], b: $0[2]) } },
      policy: policy)
  }

  static func score(
    image: String, model: String, isReference: Bool, cells: [UInt32], target: [UInt8],
    predictions: [RGBColour?], policy: UnparsablePolicy
  ) -> REMetricRow {
    var sums: (Int64, Int64, Int64) = (0, 0, 0)
    var unparsable = 0
    var scored = 0
    for (cell, prediction) in zip(cells, predictions) {
      let at = Int(cell) * 3
      if let prediction {
        sums.0 += Int64(abs(Int(prediction.r) - Int(target[at])))
        sums.1 += Int64(abs(Int(prediction.g) - Int(target[at + 1])))
        sums.2 += Int64(abs(Int(prediction.b) - Int(target[at + 2])))
        scored += 1
      } else {
        unparsable += 1
        if policy == .worst {
          // The worst error there is on each channel: 255, whatever the target.
          sums.0 += 255
          sums.1 += 255
          sums.2 += 255
          scored += 1
        }
      }
    }
    return REMetricRow(
      image: image, model: model, isReference: isReference, questions: cells.count,
      unparsable: unparsable, scored: scored, sumAbs: [sums.0, sums.1, sums.2])
  }

  /// A reference baseline's row: its grid reconstruction read at the asked cells (every cell
  /// "parses", so no policy applies).
  static func score(
    image: String, model: String, cells: [UInt32], target: [UInt8], reconstruction: [UInt8]
  ) -> REMetricRow {
    var sums: (Int64, Int64, Int64) = (0, 0, 0)
    for cell in cells {
      let at = Int(cell) * 3
      sums.0 += Int64(abs(Int(reconstruction[at]) - Int(target[at])))
      sums.1 += Int64(abs(Int(reconstruction[at + 1]) - Int(target[at + 1])))
      sums.2 += Int64(abs(Int(reconstruction[at + 2]) - Int(target[at + 2])))
    }
    return REMetricRow(
      image: image, model: model, isReference: true, questions: cells.count, unparsable: 0,
      scored: cells.count, sumAbs: [sums.0, sums.1, sums.2])
  }

  func copyRow(job: Int64, shard: Int64) -> [PGValue] {
    [
      .int(job), .int(shard), .text(image), .text(model), .bool(isReference), .int(Int64(questions)),
      .int(Int64(unparsable)), .int(Int64(scored)), .int(sumAbs[0]), .int(sumAbs[1]), .int(sumAbs[2]),
    ]
  }
}
