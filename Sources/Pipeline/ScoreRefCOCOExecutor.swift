import Foundation
import Imaging
public import Model
public import Queue
public import Refer
public import Shards

/// Runs one claimed score-refcoco shard: per sentence, the `[refer]` question gives a box, one
/// `[segmentation]` question per grid cell inside it gives the mask, and the mask, upsampled to the
/// image with NEAREST, is compared with the full-resolution ground truth (both kept run-length
/// encoded). Per-sentence rows go to `refcoco_sentence_metrics` in the completing transaction.
public struct ScoreRefCOCOExecutor: ShardExecutor {
  public init() {}

  public func execute(_ shard: ClaimedShard, context: ExecutionContext) throws -> ShardOutput {
    let spec: ScoreRefCOCOSpec = try JobSpec.decode(shard)
    let name = shard.name
    let store = try BlobStores.parse(spec.store)
    let input = try ShardInput.open(
      shard, store: store, kind: .refInput, connection: context.connection)
    let model = try shard.model(spec.model)
    var writer = try ShardWriter(
      kind: .refOutput, metadata: #"{"kind":"score-refcoco","shard":\#(shard.index)}"#)
    var rows: [RefMetricRow] = []
    while let record: RefImageInput = try input.next() {
      for (output, row) in try score(
        record, spec: spec, model: model, shardName: name, isCancelled: context.isCancelled)
      {
        try writer.append(output)
        rows.append(row)
      }
    }
    let (jobID, index) = (shard.jobID, Int64(shard.index))
    // Progress counts the planned questions (the queue's total); the asked ones are in the rows.
    return try shard.output(
      writer.finish(), store: store, context: context, questions: shard.questions,
      copy: """
        COPY refcoco_sentence_metrics (job_id, ordinal, idx, intersection_px, union_px,
          gt_x1, gt_y1, gt_x2, gt_y2, pred_x1, pred_y1, pred_x2, pred_y2, box_iou, rec_hit,
          box_source, mask_x1, mask_y1, mask_x2, mask_y2, questions, mask_questions, unparsable,
          rec_unparsable) FROM STDIN
        """,
      rows: rows.map { $0.copyRow(job: jobID, shard: index) })
  }

  /// Every sentence of one image record (the image is decoded once).
  public func score(
    _ record: RefImageInput, spec: ScoreRefCOCOSpec, model: any VisionLanguageModel,
    shardName: String, isCancelled: () -> Bool = { false }
  ) throws -> [(RefSentenceOutput, RefMetricRow)] {
    let rgb: RGBImage
    do {
      rgb = try ImageDecoder.decode(record.encoded, name: record.image, maxPixels: spec.maxPixels)
    } catch {
      throw ShardFailure(retryable: false, code: "bad-image", message: "\(shardName): \(error)")
    }
    guard rgb.width == record.width, rgb.height == record.height else {
      throw ShardFailure(
        retryable: false, code: "bad-image",
        message:
          "\(shardName): \(record.image) is \(rgb.width)x\(rgb.height), its masks \(record.width)x\(record.height)"
      )
    }
    let geometry = SegmentationGrid(width: record.width, height: record.height, grid: spec.grid)
    var results: [(RefSentenceOutput, RefMetricRow)] = []
    for sentence in record.sentences {
      if isCancelled() {
        throw ShardFailure(retryable: true, code: "cancelled", message: "\(shardName): lease lost")
      }
      results.append(
        try score(
          sentence, image: record, rgb: rgb, geometry: geometry, spec: spec, model: model,
          shardName: shardName))
    }
    return results
  }

  func score(
    _ sentence: RefSentenceInput, image record: RefImageInput, rgb: RGBImage,
    geometry: SegmentationGrid, spec: ScoreRefCOCOSpec, model: any VisionLanguageModel,
    shardName: String
  ) throws -> (RefSentenceOutput, RefMetricRow) {
    let truth: RLE
    do {
      truth = try RLE(compressed: sentence.truthRLE, height: record.height, width: record.width)
    } catch {
      throw ShardFailure(
        retryable: false, code: "bad-shard",
        message: "\(shardName): \(sentence.dataset) sentence \(sentence.sentID): \(error)")
    }
    let truthBox = sentence.truthBox.referBox
    // The ground truth rides along for the baselines (oracle, box); real backends ignore it.
    let image = ModelImage(
      name: record.image, encoded: record.encoded, rgb: rgb, grid: spec.grid,
      gridMask: geometry.gridMask(of: truth), truthBox: truthBox)
    let context = "\(shardName): \(record.image) sentence \(sentence.sentID)"

    let refer = ModelQuestion(
      text: TaskFormat.referQuestion(sentence: sentence.sentence),
      task: .refer(sentence: sentence.sentence))
    let recAnswer = try ask([refer], model: model, image: image, context: context)[0]
    let recBox = ReferBox.parseAnswer(recAnswer, imageWidth: record.width, imageHeight: record.height)
    let source: RefBoxSource
    let maskBox: ReferBox?
    switch spec.box {
    case .model: (source, maskBox) = recBox.map { (.model, $0) } ?? (.fallback, nil)
    case .gt: (source, maskBox) = (.truth, truthBox)
    case .full: (source, maskBox) = (.full, nil)
    }

    let cells = geometry.cells(inside: maskBox)
    let questions = cells.map { cell in
      let (row, col) = (Int(cell) / spec.grid, Int(cell) % spec.grid)
      return ModelQuestion(
        text: TaskFormat.segmentationQuestion(
          sentence: sentence.sentence, row: row, col: col, order: spec.locOrder),
        task: .mask(sentence: sentence.sentence, row: row, col: col))
    }
    var answers: [String] = []
    answers.reserveCapacity(questions.count)
    var start = 0
    while start < questions.count {
      let end = min(start + spec.batch, questions.count)
      answers += try ask(Array(questions[start..<end]), model: model, image: image, context: context)
      start = end
    }
    let parsed = answers.map { AnswerParser.mask($0) }
    var predicted = [UInt8](repeating: 0, count: spec.grid * spec.grid)
    for (cell, answer) in zip(cells, parsed) where answer == true { predicted[Int(cell)] = 1 }
    let overlap: MaskOverlap
    do {
      overlap = try SegmentationMetrics.overlap(predicted: geometry.upsample(predicted), truth: truth)
    } catch {
      throw ShardFailure(retryable: false, code: "bad-mask", message: "\(context): \(error)")
    }

    let maskUnparsable = parsed.reduce(0) { $0 + ($1 == nil ? 1 : 0) }
    let output = RefSentenceOutput(
      ordinal: sentence.ordinal, dataset: sentence.dataset, split: sentence.split,
      refID: sentence.refID, sentID: sentence.sentID, image: record.image, width: record.width,
      height: record.height, grid: spec.grid, recAnswer: recAnswer, recBox: recBox.map(RefCorners.init),
      boxSource: source, maskBox: maskBox.map(RefCorners.init), cells: cells, answers: answers,
      parsed: parsed, intersection: overlap.intersection, union: overlap.union)
    let row = RefMetricRow(
      ordinal: sentence.ordinal, overlap: overlap, truthBox: truthBox, recBox: recBox,
      boxIoU: recBox.flatMap { $0.iou(truthBox) }, recHit: recBox?.hits(truthBox) ?? false,
      boxSource: source, maskBox: maskBox, questions: 1 + questions.count,
      maskQuestions: questions.count, unparsable: maskUnparsable + (recBox == nil ? 1 : 0),
      recUnparsable: recBox == nil)
    return (output, row)
  }

  func ask(
    _ questions: [ModelQuestion], model: any VisionLanguageModel, image: ModelImage, context: String
  ) throws -> [String] {
    try ModelCall.answers(questions, model: model, image: image, context: context)
  }
}

/// One sentence's figures: a row of `refcoco_sentence_metrics`.
public struct RefMetricRow: Sendable, Equatable {
  public var ordinal: Int
  public var overlap: MaskOverlap
  public var truthBox: ReferBox
  /// The REC answer's box; nil when it did not parse.
  public var recBox: ReferBox?
  public var boxIoU: Double?
  public var recHit: Bool
  public var boxSource: RefBoxSource
  /// The box whose cells were asked; nil for the whole image.
  public var maskBox: ReferBox?
  public var questions: Int
  public var maskQuestions: Int
  public var unparsable: Int
  public var recUnparsable: Bool

  func copyRow(job: Int64, shard: Int64) -> [PGValue] {
    func corners(_ box: ReferBox?) -> [PGValue] {
      guard let box else { return [.null, .null, .null, .null] }
      return [.double(box.x1), .double(box.y1), .double(box.x2), .double(box.y2)]
    }
    return [.int(job), .int(Int64(ordinal)), .int(shard), .int(overlap.intersection), .int(overlap.union)]
      + corners(truthBox) + corners(recBox) + [boxIoU.map(PGValue.double) ?? .null, .bool(recHit)]
      + [.text(boxSource.name)] + corners(maskBox)
      + [.int(Int64(questions)), .int(Int64(maskQuestions)), .int(Int64(unparsable)), .bool(recUnparsable)]
  }
}
