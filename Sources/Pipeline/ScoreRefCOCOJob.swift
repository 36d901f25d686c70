import Foundation
import Imaging
public import Logging
public import Model
public import Queue
public import Refer
public import Shards

/// What a user asks for with `coordinator enqueue score-refcoco`.
public struct ScoreRefCOCORequest: Sendable {
  public var referRoot: String?
  public var imageRoot: String?
  /// `name:splitBy,...`
  public var datasets: String = "refcoco:unc,refcoco+:unc,refcocog:umd"
  /// `dataset:split,...`; nil for the paper's splits of the chosen datasets.
  public var splits: String?
  public var perSplit: Int = 100
  public var seed: UInt64 = 0
  public var grid: Int = 64
  public var box: RefBoxMode = .model
  public var model: String = "baseline:oracle"
  public var locOrder: LocOrder = .yx
  public var sentenceField: SentenceField = .raw
  public var sentencesPerShard: Int = 10
  public var batch: Int = 4096
  public var maxPixels: Int = ImageDecoder.defaultMaxPixels
  public var store: String = "postgres"
  public var idempotencyKey: String?
  public var maxAttempts: Int = 3
  public var leaseSeconds: Int = 300

  public init() {}
}

/// One chosen sentence with everything its input record needs.
public struct PlannedRefSentence: Sendable, Equatable {
  public var ordinal: Int
  public var dataset: RefDatasetName
  public var split: String
  /// The split's position in the job.
  public var splitNumber: Int
  public var refID: Int
  public var sentID: Int
  public var annotationID: Int
  public var imageID: Int
  /// The image's path relative to the image root (`instances.json` `file_name`).
  public var image: String
  public var width: Int
  public var height: Int
  public var sentence: String
  public var truthRLE: String
  public var truthBox: ReferBox
  /// Questions planned: the REC question plus the cells of the ground-truth box (`--box model`
  /// and `gt`) or of the whole grid (`--box full`). Job progress counts these.
  public var plannedQuestions: Int
}

/// A planned score-refcoco job: its spec and its sentences in job order.
public struct ScoreRefCOCOPlan: Sendable {
  public var spec: ScoreRefCOCOSpec
  public var sentences: [PlannedRefSentence]

  public var plannedQuestions: Int { sentences.reduce(0) { $0 + $1.plannedQuestions } }

  public func sentences(ofShard k: Int) -> ArraySlice<PlannedRefSentence> {
    let size = spec.sentencesPerShard
    return sentences[(k * size)..<min((k + 1) * size, sentences.count)]
  }
}

/// Plans score-refcoco jobs: loads the datasets, draws the seeded subset of every split, and
/// stores input shards that carry each image once plus its sentences' ground truth, with the
/// subset recorded in `refcoco_subsets` in the same transaction.
public enum ScoreRefCOCOJob {
  /// The paper's splits (Table 3): RefCOCO and RefCOCO+ val/testA/testB, RefCOCOg val/test.
  public static let paperSplits: [String: [String]] = [
    "refcoco": ["val", "testA", "testB"], "refcoco+": ["val", "testA", "testB"],
    "refcocog": ["val", "test"],
  ]

  /// `refcoco:unc,refcoco+:unc` -> datasets, each named once.
  public static func parseDatasets(_ text: String) throws(PipelineError) -> [RefDatasetName] {
    var datasets: [RefDatasetName] = []
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = item.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
        throw PipelineError(.badOption, "--datasets", "'\(item)' is not DATASET:SPLITBY (e.g. refcoco:unc)")
      }
      guard !datasets.contains(where: { $0.name == parts[0] }) else {
        throw PipelineError(.badOption, "--datasets", "\(parts[0]) is named twice")
      }
      datasets.append(RefDatasetName(name: String(parts[0]), splitBy: String(parts[1])))
    }
    return datasets
  }

  /// `refcoco:val,refcoco:testA` -> splits of the given datasets, each named once; nil gives the
  /// paper's splits of every dataset.
  public static func parseSplits(_ text: String?, datasets: [RefDatasetName]) throws(PipelineError)
    -> [RefSplitName]
  {
    guard let text else {
      var splits: [RefSplitName] = []
      for dataset in datasets {
        guard let names = paperSplits[dataset.name] else {
          throw PipelineError(
            .badOption, "--splits",
            "the paper scores no split of \(dataset.name); name them (e.g. \(dataset.name):val)")
        }
        splits += names.map { RefSplitName(dataset: dataset.name, split: $0) }
      }
      return splits
    }
    var splits: [RefSplitName] = []
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      guard let colon = item.lastIndex(of: ":"), colon != item.startIndex,
        item.index(after: colon) != item.endIndex
      else {
        throw PipelineError(.badOption, "--splits", "'\(item)' is not DATASET:SPLIT (e.g. refcoco:testA)")
      }
      let split = RefSplitName(
        dataset: String(item[..<colon]), split: String(item[item.index(after: colon)...]))
      guard datasets.contains(where: { $0.name == split.dataset }) else {
        throw PipelineError(
          .badOption, "--splits",
          "\(split) names dataset \(split.dataset), which is not in --datasets (\(datasets.map(\.description).joined(separator: ",")))"
        )
      }
      guard !splits.contains(split) else {
        throw PipelineError(.badOption, "--splits", "\(split) is named twice")
      }
      splits.append(split)
    }
    return splits
  }

  /// Checks every option, the model, the files and the images, and draws the subset, before
  /// anything touches the database.
  public static func plan(_ request: ScoreRefCOCORequest) throws -> ScoreRefCOCOPlan {
    guard let referRoot = request.referRoot else {
      throw PipelineError(.badOption, "--refer-root", "is required")
    }
    guard let imageRoot = request.imageRoot else {
      throw PipelineError(.badOption, "--image-root", "is required")
    }
    guard request.perSplit >= 1 else {
      throw PipelineError(.badOption, "--per-split", "must be at least 1 (got \(request.perSplit))")
    }
    guard (1...1024).contains(request.grid) else {
      throw PipelineError(.badOption, "--grid", "must be between 1 and 1024 (got \(request.grid))")
    }
    guard request.sentencesPerShard >= 1 else {
      throw PipelineError(.badOption, "--sentences-per-shard", "must be at least 1")
    }
    guard request.batch >= 1 else { throw PipelineError(.badOption, "--batch", "must be at least 1") }
    guard request.maxAttempts >= 1 else {
      throw PipelineError(.badOption, "--max-attempts", "must be at least 1")
    }
    try validateModel(request.model)
    _ = try BlobStores.parse(request.store)
    let datasets = try parseDatasets(request.datasets)
    let splits = try parseSplits(request.splits, datasets: datasets)
    for (path, option) in [(referRoot, "--refer-root"), (imageRoot, "--image-root")] {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue
      else { throw PipelineError(.missingInput, option, "\(path) is not a directory") }
    }

    let spec = ScoreRefCOCOSpec(
      referRoot: referRoot, imageRoot: imageRoot, datasets: datasets, splits: splits,
      perSplit: request.perSplit, seed: request.seed, grid: request.grid, box: request.box,
      model: request.model, locOrder: request.locOrder, sentenceField: request.sentenceField,
      sentencesPerShard: request.sentencesPerShard, batch: request.batch,
      maxPixels: request.maxPixels, store: request.store)
    return ScoreRefCOCOPlan(spec: spec, sentences: try sentences(spec))
  }

  /// Baselines that cannot answer `[refer]` and `[segmentation]` questions are refused here, not
  /// by every worker.
  static func validateModel(_ uri: String) throws {
    do {
      let model = try ModelFactory.make(uri)
      if let baseline = model as? BaselineModel, baseline.kind != .oracle, baseline.kind != .box {
        throw PipelineError(
          .badOption, "--model",
          "\(uri) answers no refer or segmentation questions (baselines here: baseline:oracle, baseline:box)")
      }
    } catch let error as PipelineError {
      throw error
    } catch {
      throw PipelineError(.badOption, "--model", "\(error)")
    }
  }

  /// The subset: per split (in order) the seeded sample, sorted by (ref_id, sent_id).
  static func sentences(_ spec: ScoreRefCOCOSpec) throws -> [PlannedRefSentence] {
    var loaded: [String: ReferDataset] = [:]
    for dataset in spec.datasets where spec.splits.contains(where: { $0.dataset == dataset.name }) {
      do {
        loaded[dataset.name] = try ReferDataset.load(
          root: spec.referRoot, dataset: dataset.name, splitBy: dataset.splitBy)
      } catch {
        throw PipelineError(.missingInput, "--refer-root", error.description)
      }
    }
    var planned: [PlannedRefSentence] = []
    var masks: [String: (rle: String, box: ReferBox)] = [:]
    var checkedImages: Set<String> = []
    for (splitNumber, split) in spec.splits.enumerated() {
      guard let dataset = loaded[split.dataset],
        let name = spec.datasets.first(where: { $0.name == split.dataset })
      else { continue }
      let chosen: [ReferSentence]
      do {
        chosen = try SentenceSampler.sample(
          dataset, split: split.split, count: spec.perSplit, seed: spec.seed)
      } catch {
        throw PipelineError(
          .badOption, error.code == .badSampleSize ? "--per-split" : "--splits", error.description)
      }
      for sentence in chosen {
        guard let image = dataset.image(id: sentence.imageID) else {
          throw PipelineError(
            .missingInput, "--refer-root",
            "image \(sentence.imageID) of \(split) ref \(sentence.refID) is unknown")
        }
        let path = spec.imageRoot + "/" + image.fileName
        if !checkedImages.contains(path) {
          guard FileManager.default.fileExists(atPath: path) else {
            throw PipelineError(
              .missingInput, path,
              "image \(image.id) of \(split) ref \(sentence.refID) is missing under --image-root")
          }
          checkedImages.insert(path)
        }
        let key = "\(split.dataset)/\(sentence.annotationID)"
        let mask: (rle: String, box: ReferBox)
        if let known = masks[key] {
          mask = known
        } else {
          do {
            let rle = try dataset.rle(annotationID: sentence.annotationID)
            let box = dataset.annotations[sentence.annotationID]!.box
            mask = (rle.compressed, box)
          } catch {
            throw PipelineError(.badCorpus, "--refer-root", "\(split.dataset): \(error.description)")
          }
          masks[key] = mask
        }
        let cells =
          spec.box == .full
          ? spec.grid * spec.grid
          : SegmentationGrid.cells(
            inside: mask.box, width: image.width, height: image.height, grid: spec.grid
          ).count
        planned.append(
          PlannedRefSentence(
            ordinal: planned.count, dataset: name, split: split.split, splitNumber: splitNumber,
            refID: sentence.refID, sentID: sentence.sentID, annotationID: sentence.annotationID,
            imageID: sentence.imageID, image: image.fileName, width: image.width,
            height: image.height,
            sentence: spec.sentenceField == .raw ? sentence.raw : sentence.sent,
            truthRLE: mask.rle, truthBox: mask.box, plannedQuestions: 1 + cells))
      }
    }
    return planned
  }

  /// Shard k's input records: each image once (in first-appearance order) with its sentences.
  /// Reads and decodes every image, checking its size against `instances.json`.
  public static func records(plan: ScoreRefCOCOPlan, shard k: Int) throws -> [RefImageInput] {
    var records: [RefImageInput] = []
    var recordOfImage: [String: Int] = [:]
    for sentence in plan.sentences(ofShard: k) {
      let input = RefSentenceInput(
        ordinal: sentence.ordinal, dataset: sentence.dataset.name, split: sentence.split,
        refID: sentence.refID, sentID: sentence.sentID, annotationID: sentence.annotationID,
        sentence: sentence.sentence, truthRLE: sentence.truthRLE,
        truthBox: RefCorners(sentence.truthBox))
      if let index = recordOfImage[sentence.image] {
        records[index].sentences.append(input)
        continue
      }
      let path = plan.spec.imageRoot + "/" + sentence.image
      guard let data = FileManager.default.contents(atPath: path) else {
        throw PipelineError(.missingInput, path, "cannot be read")
      }
      let bytes = [UInt8](data)
      let decoded = try ImageDecoder.decode(bytes, name: path, maxPixels: plan.spec.maxPixels)
      guard decoded.width == sentence.width, decoded.height == sentence.height else {
        throw PipelineError(
          .badImage, path,
          "is \(decoded.width)x\(decoded.height), instances.json says \(sentence.width)x\(sentence.height)")
      }
      recordOfImage[sentence.image] = records.count
      records.append(
        RefImageInput(
          image: sentence.image, imageID: sentence.imageID, encoded: bytes, width: sentence.width,
          height: sentence.height, sentences: [input]))
    }
    return records
  }

  public static func enqueue(
    _ plan: ScoreRefCOCOPlan, request: ScoreRefCOCORequest, queue: WorkQueue, logger: Logger
  ) throws -> EnqueueResult {
    let spec = plan.spec
    let json = try JobSpec.encode(spec)
    let store = try BlobStores.parse(spec.store)
    let job = request.newJob(kind: ScoreRefCOCOSpec.kind, json: json, totalQuestions: plan.plannedQuestions)
    logger.info(
      "planning job",
      metadata: [
        "job.kind": "\(ScoreRefCOCOSpec.kind)", "job.sentences": "\(plan.sentences.count)",
        "job.shards": "\(spec.shardCount)", "job.model": "\(spec.model)",
      ])
    return try queue.enqueue(job, store: store) { sink in
      let jobID = sink.jobID
      let size = spec.sentencesPerShard
      _ = try sink.connection.copyIn(
        """
        COPY refcoco_subsets (job_id, ordinal, dataset, split_by, split, split_no, ref_id, sent_id,
          ann_id, image_id, image, sentence, idx) FROM STDIN
        """,
        rows: plan.sentences.map { s in
          [
            .int(jobID), .int(Int64(s.ordinal)), .text(s.dataset.name), .text(s.dataset.splitBy),
            .text(s.split), .int(Int64(s.splitNumber)), .int(Int64(s.refID)), .int(Int64(s.sentID)),
            .int(Int64(s.annotationID)), .int(Int64(s.imageID)), .text(s.image), .text(s.sentence),
            .int(Int64(s.ordinal / size)),
          ]
        })
      for k in 0..<spec.shardCount {
        var writer = try ShardWriter(
          kind: .refInput, metadata: #"{"kind":"score-refcoco","shard":\#(k)}"#)
        for record in try records(plan: plan, shard: k) { try writer.append(record) }
        let blob = try writer.finish()
        let questions = plan.sentences(ofShard: k).reduce(0) { $0 + $1.plannedQuestions }
        try sink.add(bytes: blob.bytes, digest: blob.digest, questions: questions)
      }
    }
  }
}

extension RefCorners {
  init(_ box: ReferBox) {
    self.init(x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2)
  }

  var referBox: ReferBox { ReferBox(x1: x1, y1: y1, x2: x2, y2: y2) }
}
