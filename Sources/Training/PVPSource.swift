import Foundation
public import Logging
public import Model
import Pipeline
import Queue
public import Shards

/// Training data of one task: the answered questions of a gen-pvp job, grouped by image, with
/// the images' model inputs. Read from the job's output shards in the database (through
/// `OutputShards`, digests verified) or from shard files.
public struct PVPSource: Sendable {
  public struct Image: Sendable {
    /// Absolute path of the image file.
    public var path: String
    public var answers: [PVPAnswer]
  }

  /// Names the source in logs and errors (`job 3`, a file).
  public var name: String
  public var images: [Image]
  public var locOrder: LocOrder

  public init(name: String, images: [Image], locOrder: LocOrder) {
    self.name = name
    self.images = images
    self.locOrder = locOrder
  }

  public var questionCount: Int { images.reduce(0) { $0 + $1.answers.count } }

  /// A finished gen-pvp job's output, read from the database at `databaseURL`.
  public static func job(_ job: Int64, databaseURL: String, logger: Logger) throws -> PVPSource {
    let connection = try PGConnection.connect(url: databaseURL, logger: logger)
    let spec: GenPVPSpec = try connection.jobSpec(job, kind: GenPVPSpec.kind, reads: "gen-pvp output")
    let shards = OutputShards(connection: connection, job: job, store: try BlobStores.parse(spec.store))
    var collector = Collector(root: spec.imageRoot)
    try shards.forEach(kind: .pvpOutput) { _, reader in try collector.read(reader) }
    return try collector.source(name: "job \(job)", locOrder: spec.locOrder)
  }

  /// gen-pvp output shard files (as the file blob store keeps them); image paths are relative
  /// to `imageRoot`. A shard of another kind is an error naming the file.
  public static func shardFiles(_ paths: [String], imageRoot: String, locOrder: LocOrder) throws
    -> PVPSource
  {
    var collector = Collector(root: imageRoot)
    try ShardFiles.forEach(paths, kind: .pvpOutput) { _, reader in try collector.read(reader) }
    return try collector.source(name: ShardFiles.name(paths), locOrder: locOrder)
  }

  /// Answers grouped by image, images in first-seen order.
  struct Collector {
    let root: String
    var order: [String] = []
    var answers: [String: [PVPAnswer]] = [:]

    init(root: String) { self.root = root }

    mutating func read(_ reader: ShardReader) throws {
      while let record: PVPImageAnswers = try reader.next() {
        if answers[record.image] == nil { order.append(record.image) }
        answers[record.image, default: []] += record.answers
      }
    }

    func source(name: String, locOrder: LocOrder) throws(TrainingError) -> PVPSource {
      let images = order.map { image in
        Image(path: (root as NSString).appendingPathComponent(image), answers: answers[image]!)
      }
      guard images.contains(where: { !$0.answers.isEmpty }) else {
        throw TrainingError(.badData, name, "holds no answered questions")
      }
      return PVPSource(name: name, images: images, locOrder: locOrder)
    }
  }
}
