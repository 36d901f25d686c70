extension RecordKind {
  /// gen-game and play-game input: one record, the episode to play.
  public static let gameEpisode = RecordKind("GEPI")
  /// play-game output: one record per episode, every step's answer, action, reward and frame.
  public static let gamePlay = RecordKind("GPLO")
  /// gen-game output: one record per observation: the stacked frames, the text, the expert action.
  public static let gameObservation = RecordKind("GOBS")
}

/// Input of a gen-game or play-game shard: which episode, under which environment seed.
public struct GameEpisodeInput: Equatable, Sendable {
  /// The episode's number in the job (0-based).
  public var episode: Int
  /// The seed passed to the environment's reset.
  public var seed: UInt64

  public init(episode: Int, seed: UInt64) {
    self.episode = episode
    self.seed = seed
  }
}

/// Layout (kind GEPI): episode varint, seed varint.
extension GameEpisodeInput: ShardRecord {
  public static var kind: RecordKind { .gameEpisode }

  public func encode(into writer: inout ByteWriter) {
    writer.writeVarint(UInt64(episode))
    writer.writeVarint(seed)
  }

  public static func decode(from reader: inout ByteReader) throws(ShardError) -> GameEpisodeInput {
    let episode = Int(try reader.readVarint(as: UInt32.self))
    return GameEpisodeInput(episode: episode, seed: try reader.readVarint())
  }
}

/// One step of a played episode.
public struct GamePlayStep: Equatable, Sendable {
  /// The action played (NOOP, 0, when the answer did not parse).
  public var action: Int
  /// Whether the answer parsed as an action.
  public var parsed: Bool
  /// The model's raw answer (empty for the baselines, which answer with an index).
  public var answer: String
  /// The step's reward.
  public var reward: Double
  /// The observation the action was chosen on (its newest frame), PNG; empty when not kept.
  public var frame: [UInt8]

  public init(action: Int, parsed: Bool, answer: String, reward: Double, frame: [UInt8]) {
    self.action = action
    self.parsed = parsed
    self.answer = answer
    self.reward = reward
    self.frame = frame
  }
}

/// A played episode (play-game output).
public struct GamePlayOutput: Equatable, Sendable {
  public var episode: Int
  public var seed: UInt64
  public var game: String
  public var model: String
  /// Action names by index.
  public var actions: [String]
  public var steps: [GamePlayStep]

  public init(
    episode: Int, seed: UInt64, game: String, model: String, actions: [String], steps: [GamePlayStep]
  ) {
    self.episode = episode
    self.seed = seed
    self.game = game
    self.model = model
    self.actions = actions
    self.steps = steps
  }
}

/// Layout (kind GPLO): episode varint, seed varint, game string, model string, action count
/// varint and each name string, step count varint, then per step: action varint, parsed byte
/// (0/1), answer string, reward float64 little-endian, frame bytes (length-prefixed PNG, may be
/// empty).
extension GamePlayOutput: ShardRecord {
  public static var kind: RecordKind { .gamePlay }

  public func encode(into writer: inout ByteWriter) {
    writer.writeVarint(UInt64(episode))
    writer.writeVarint(seed)
    writer.writeString(game)
    writer.writeString(model)
    writer.writeVarint(UInt64(actions.count))
    for name in actions { writer.writeString(name) }
    writer.writeVarint(UInt64(steps.count))
    for step in steps {
      writer.writeVarint(UInt64(step.action))
      writer.writeUInt8(step.parsed ? 1 : 0)
      writer.writeString(step.answer)
      writer.writeDouble(step.reward)
      writer.writeBytes(step.frame)
    }
  }

  public static func decode(from reader: inout ByteReader) throws(ShardError) -> GamePlayOutput {
    let episode = Int(try reader.readVarint(as: UInt32.self))
    let seed = try reader.readVarint()
    let game = try reader.readString()
    let model = try reader.readString()
    let actionCount = try reader.readCount(minimumElementSize: 1)
    var actions: [String] = []
    for _ in 0..<actionCount { actions.append(try reader.readString()) }
    let count = try reader.readCount(minimumElementSize: 11)
    var steps: [GamePlayStep] = []
    steps.reserveCapacity(count)
    for _ in 0..<count {
      let action = Int(try reader.readVarint(as: UInt16.self))
      guard action < actionCount else {
        throw ShardError(.badRecord, shard: "", "action \(action) of \(actionCount)")
      }
      let parsed = try reader.readUInt8()
      guard parsed <= 1 else { throw ShardError(.badRecord, shard: "", "parsed flag \(parsed)") }
      steps.append(
        GamePlayStep(
          action: action, parsed: parsed == 1, answer: try reader.readString(),
          reward: try reader.readDouble(), frame: try reader.readBytes()))
    }
    return GamePlayOutput(
      episode: episode, seed: seed, game: game, model: model, actions: actions, steps: steps)
  }
}

/// One expert observation (gen-game output): what the model would see and what the expert did.
public struct GameObservationRecord: Equatable, Sendable {
  public var episode: Int
  /// The agent step this observation was taken at (0 = after reset).
  public var step: Int
  /// The stacked frames, oldest first, newest last, each a PNG. At the start of an episode the
  /// reset frame stands in for the frames before it.
  public var frames: [[UInt8]]
  /// The question text of the paper's template (after the frames).
  public var question: String
  /// The expert's action index, and its name.
  public var action: Int
  public var actionName: String

  public init(
    episode: Int, step: Int, frames: [[UInt8]], question: String, action: Int, actionName: String
  ) {
    self.episode = episode
    self.step = step
    self.frames = frames
    self.question = question
    self.action = action
    self.actionName = actionName
  }
}

/// Layout (kind GOBS): episode varint, step varint, frame count varint and each frame's bytes
/// (length-prefixed PNG), question string, action varint, action name string.
extension GameObservationRecord: ShardRecord {
  public static var kind: RecordKind { .gameObservation }

  public func encode(into writer: inout ByteWriter) {
    writer.writeVarint(UInt64(episode))
    writer.writeVarint(UInt64(step))
    writer.writeVarint(UInt64(frames.count))
    for frame in frames { writer.writeBytes(frame) }
    writer.writeString(question)
    writer.writeVarint(UInt64(action))
    writer.writeString(actionName)
  }

  public static func decode(from reader: inout ByteReader) throws(ShardError) -> GameObservationRecord {
    let episode = Int(try reader.readVarint(as: UInt32.self))
    let step = Int(try reader.readVarint(as: UInt32.self))
    let count = try reader.readCount(minimumElementSize: 1)
    var frames: [[UInt8]] = []
    for _ in 0..<count { frames.append(try reader.readBytes()) }
    return GameObservationRecord(
      episode: episode, step: step, frames: frames, question: try reader.readString(),
      action: Int(try reader.readVarint(as: UInt16.self)), actionName: try reader.readString())
  }
}
