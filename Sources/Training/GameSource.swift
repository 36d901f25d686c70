import Foundation
public import Imaging
public import Logging
import Pipeline
import Queue
import Shards

/// Imitation data: the expert observations of gen-game jobs (stacked frames, the question, the
/// expert's action), with every frame decoded and resized to the model's input once. The
/// training answer is the action's number as text (what `coordinator export` calls `answer`).
public struct GameSource: Sendable, TrainingData {
  public struct Observation: Sendable, Equatable {
    /// Indices into `frames`, oldest first.
    public var frames: [Int]
    public var question: String
    public var action: Int
  }

  /// Names the source in logs and errors (`job 3`, a file).
  public var name: String
  /// Every distinct frame of an episode once, `imageSize x imageSize` RGB, row-major.
  public var frames: [RGBImage]
  public var observations: [Observation]
  /// Action names of the game (index = action number); the longest list when jobs differ.
  public var actions: [String]
  public let imageSize: Int

  public init(name: String, imageSize: Int) {
    self.name = name
    self.imageSize = imageSize
    frames = []
    observations = []
    actions = []
  }

  /// How often the expert took each action.
  public var actionCounts: [Int] {
    var counts = [Int](repeating: 0, count: max(actions.count, 1 + (observations.map(\.action).max() ?? 0)))
    for observation in observations { counts[observation.action] += 1 }
    return counts
  }

  /// The expert's most frequent action (the lowest number on a tie).
  public var majorityAction: Int {
    let counts = actionCounts
    return counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }!
  }

  /// Entropy (nats) of the expert's action frequencies: the answer loss of a model that ignores
  /// the frames and only learns how often each action comes.
  public var actionEntropy: Double {
    let total = Double(observations.count)
    return actionCounts.reduce(0) { sum, count in
      count == 0 ? sum : sum - Double(count) / total * log(Double(count) / total)
    }
  }

  /// The output of finished gen-game jobs, read from the database at `databaseURL`.
  public static func jobs(_ jobs: [Int64], databaseURL: String, imageSize: Int, logger: Logger) throws
    -> GameSource
  {
    let connection = try PGConnection.connect(url: databaseURL, logger: logger)
    var source = GameSource(
      name: jobs.count == 1 ? "job \(jobs[0])" : "jobs \(jobs.map(String.init).joined(separator: ","))",
      imageSize: imageSize)
    for job in jobs {
      let spec: GameSpec = try connection.jobSpec(
        job, kind: GameSpec.genKind, reads: "gen-game output (imitation)")
      if spec.actions.count > source.actions.count { source.actions = spec.actions }
      let shards = OutputShards(connection: connection, job: job, store: try BlobStores.parse(spec.store))
      try shards.forEach(kind: .gameObservation) { shard, reader in
        try source.read(reader, name: "job \(job) shard \(shard)")
      }
    }
    return try source.checked()
  }

  /// gen-game output shard files (as the file blob store keeps them). A shard of another kind
  /// is an error naming the file.
  public static func shardFiles(_ paths: [String], imageSize: Int) throws -> GameSource {
    var source = GameSource(name: ShardFiles.name(paths), imageSize: imageSize)
    try ShardFiles.forEach(paths, kind: .gameObservation) { path, reader in
      try source.read(reader, name: path)
    }
    return try source.checked()
  }

  /// Adds a shard's observations. A frame repeated within the shard (each frame appears in up
  /// to N stacks) is decoded and kept once.
  mutating func read(_ reader: ShardReader, name: String) throws {
    var seen: [[UInt8]: Int] = [:]
    while let record: GameObservationRecord = try reader.next() {
      var indices: [Int] = []
      for png in record.frames {
        if let index = seen[png] {
          indices.append(index)
          continue
        }
        let image: RGBImage
        do {
          image = try ImageDecoder.decode(png, name: "\(name) episode \(record.episode) step \(record.step)")
        } catch {
          throw TrainingError(.badImage, name, "episode \(record.episode) step \(record.step): \(error)")
        }
        let resized =
          image.width == imageSize && image.height == imageSize
          ? image : Resampler.bicubic(image, width: imageSize, height: imageSize)
        seen[png] = frames.count
        indices.append(frames.count)
        frames.append(resized)
      }
      if record.action >= actions.count {
        // Shard files carry names but not the whole action list: grow it as actions appear.
        actions += (actions.count...record.action).map { "\($0)" }
      }
      if actions[record.action] == "\(record.action)" { actions[record.action] = record.actionName }
      observations.append(Observation(frames: indices, question: record.question, action: record.action))
    }
  }

  func checked() throws(TrainingError) -> GameSource {
    guard !observations.isEmpty else {
      throw TrainingError(.badData, name, "holds no expert observations")
    }
    return self
  }

  /// `images` observations drawn uniformly with replacement, one example each (`questions` is
  /// ignored: an observation has one answer).
  public func batch(step: Int, images: Int, questions: Int, seed: UInt64) -> [TrainingItem] {
    var random = TrainingRandom(seed: seed, stream: 3, index: UInt64(step))
    return (0..<images).map { _ in item(observations[random.below(observations.count)]) }
  }

  /// The model input and example of one observation.
  public func item(_ observation: Observation) -> TrainingItem {
    var pixels: [Float] = []
    pixels.reserveCapacity(observation.frames.count * 3 * imageSize * imageSize)
    for index in observation.frames { pixels += ModelInput.pixels(frames[index], size: imageSize) }
    return TrainingItem(
      pixels: pixels, frames: observation.frames.count,
      examples: [PromptExample(question: observation.question, answer: "\(observation.action)")])
  }
}
