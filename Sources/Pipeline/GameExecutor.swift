import Foundation
public import Games
import Imaging
import Model
public import Queue
import Shards

/// Runs one claimed play-game (or gen-game) shard: one episode against its own environment
/// server, which is always reaped. play-game keeps each step's answer and action (and every
/// `frameEvery`-th frame) in a GPLO output shard; gen-game records every expert observation
/// (stacked frames as PNG, the question, the action) in a GOBS output shard. Both write a
/// `game_episode_metrics` row in the completing transaction.
public struct GameExecutor: ShardExecutor {
  /// Where the environment server lives (nil: found at run time, see GameServerLocation).
  public var location: GameServerLocation?

  public init(location: GameServerLocation? = nil) {
    self.location = location
  }

  public func execute(_ shard: ClaimedShard, context: ExecutionContext) throws -> ShardOutput {
    let spec: GameSpec = try JobSpec.decode(shard)
    let isPlay = shard.kind == GameSpec.playKind
    let name = shard.name
    let store = try BlobStores.parse(spec.store)
    let input = try ShardInput.open(
      shard, store: store, kind: .gameEpisode, connection: context.connection)
    guard let episode: GameEpisodeInput = try input.next() else {
      throw ShardFailure(retryable: false, code: "bad-shard", message: "\(name): no episode")
    }
    let policy: GamePolicy
    do {
      policy = try GamePolicy.make(
        spec.model, frames: spec.game.stack, question: spec.question, cached: true)
    } catch {
      throw ShardFailure(retryable: false, code: "bad-model", message: "\(name): \(error)")
    }
    let server: GameServer
    do throws(GameError) {
      var found = location
      if found == nil { found = try GameServerLocation.find() }
      server = try GameServer(
        game: spec.game, discretisation: spec.discretisation, expert: policy.needsExpert,
        location: found!)
    } catch {
      // Another worker may have the environments installed.
      throw ShardFailure(
        retryable: true, code: "env-\(error.code.rawValue)", message: "\(name): \(error)")
    }
    defer { server.close() }

    let runner = GameEpisodeRunner(spec: spec, name: "\(name) episode \(episode.episode)")
    var writer = try ShardWriter(
      kind: isPlay ? .gamePlay : .gameObservation,
      metadata: #"{"kind":"\#(shard.kind)","shard":\#(shard.index)}"#)
    var steps: [GamePlayStep] = []
    // gen-game: the PNG of each frame in the stack, encoded once per frame.
    var encodedStack: [[UInt8]] = []
    let question = spec.question
    let summary = try runner.run(
      server: server, seed: episode.seed, policy: policy, isCancelled: context.isCancelled
    ) { step in
      if isPlay {
        let keep = spec.frameEvery > 0 && step.index % spec.frameEvery == 0
        steps.append(
          GamePlayStep(
            action: step.action, parsed: step.parsed, answer: step.answer, reward: step.reward,
            frame: keep ? try png(step.frames[step.frames.count - 1], name) : []))
        return
      }
      let newest = try png(step.frames[step.frames.count - 1], name)
      if encodedStack.isEmpty {
        encodedStack = Array(repeating: newest, count: step.frames.count)
      } else {
        encodedStack.removeFirst()
        encodedStack.append(newest)
      }
      guard let expert = step.expert else {
        throw ShardFailure(retryable: false, code: "env-protocol", message: "\(name): no expert action")
      }
      try writer.append(
        GameObservationRecord(
          episode: episode.episode, step: step.index, frames: encodedStack, question: question,
          action: expert, actionName: spec.actions[expert]))
    }
    if isPlay {
      try writer.append(
        GamePlayOutput(
          episode: episode.episode, seed: episode.seed, game: spec.game.rawValue, model: spec.model,
          actions: spec.actions, steps: steps))
    }
    let row: [PGValue] = [
      .int(shard.jobID), .int(Int64(shard.index)), .int(Int64(episode.episode)),
      .int(Int64(episode.seed)), .text(spec.game.rawValue), .text(spec.model),
      .double(summary.reward), .int(Int64(summary.steps)), .int(Int64(summary.unparsable)),
      .text(summary.ending.rawValue), .double(summary.wallSeconds), .double(summary.envSeconds),
    ]
    context.logger.info(
      "episode finished",
      metadata: [
        "shard.job": "\(shard.jobID)", "shard.index": "\(shard.index)",
        "episode.reward": "\(summary.reward)", "episode.steps": "\(summary.steps)",
      ])
    return try shard.output(
      writer.finish(), store: store, context: context, questions: shard.questions,
      copy: """
        COPY game_episode_metrics (job_id, idx, episode, env_seed, game, model, reward, steps,
          unparsable, ended, wall_seconds, env_seconds) FROM STDIN
        """, rows: [row])
  }
}

private func png(_ frame: RGBImage, _ name: String) throws -> [UInt8] {
  do {
    return try PNGEncoder.encode(frame)
  } catch {
    throw ShardFailure(retryable: false, code: "bad-frame", message: "\(name): \(error)")
  }
}
