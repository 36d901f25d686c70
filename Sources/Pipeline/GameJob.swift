import Foundation
public import Games
public import Logging
import Model
public import Queue
import Shards

/// What a user asks for with `coordinator enqueue play-game` or `gen-game`.
public struct GameRequest: Sendable {
  /// `play-game` or `gen-game`.
  public var kind: String = GameSpec.playKind
  public var game: String?
  public var discretisation: String?
  public var episodes: Int = 15
  public var seed: UInt64 = 0
  public var model: String = "baseline:expert"
  public var maxSteps: Int?
  public var instruction: GameInstructionStyle = .full
  public var frameEvery: Int = 10
  public var store: String = "postgres"
  /// Start an environment server at enqueue to prove the packages are installed.
  public var checkEnvironment = true
  public var idempotencyKey: String?
  public var maxAttempts: Int = 3
  public var leaseSeconds: Int = 300

  public init() {}
}

/// Plans play-game and gen-game jobs: one shard per episode, its input the episode number and
/// environment seed. Everything is checked before anything touches the database.
public enum GameJob {
  /// Seeds of a job must stay below this many past the base, so the evaluation range
  /// (0..<2^31) and the expert range (2^31..<2^32) never overlap.
  static let seedSpan: UInt64 = 1 << 31

  public static func plan(_ request: GameRequest) throws -> GameSpec {
    let isPlay = request.kind == GameSpec.playKind
    guard isPlay || request.kind == GameSpec.genKind else {
      throw PipelineError(.unknownKind, "kind", "\(request.kind) is not a game job kind")
    }
    let countOption = isPlay ? "--episodes" : "--games"
    guard let gameText = request.game else { throw PipelineError(.badOption, "--game", "is required") }
    let game: GameName
    do {
      game = try GameName.parse(gameText)
    } catch {
      throw PipelineError(.badOption, "--game", error.detail)
    }
    let discretisation = request.discretisation ?? game.discretisations[0]
    guard game.discretisations.contains(discretisation) else {
      throw PipelineError(
        .badOption, "--discretisation",
        "\(game) has no discretisation '\(discretisation)' (known: \(game.discretisations.joined(separator: ", ")))"
      )
    }
    guard (1...100_000).contains(request.episodes) else {
      throw PipelineError(
        .badOption, countOption, "must be between 1 and 100000 (got \(request.episodes))")
    }
    guard request.seed + UInt64(request.episodes) <= seedSpan else {
      throw PipelineError(
        .badOption, "--seed",
        "seed + \(countOption) must stay within 2^31 (\(seedSpan)), which keeps evaluation and expert seeds apart"
      )
    }
    if let maxSteps = request.maxSteps, maxSteps < 1 {
      throw PipelineError(.badOption, "--max-steps", "must be at least 1 (got \(maxSteps))")
    }
    guard request.frameEvery >= 0 else {
      throw PipelineError(.badOption, "--frame-every", "must be 0 (no frames) or more")
    }
    guard request.maxAttempts >= 1 else {
      throw PipelineError(.badOption, "--max-attempts", "must be at least 1")
    }
    if !isPlay && request.model != "baseline:expert" {
      throw PipelineError(.badOption, "--model", "gen-game records the expert: baseline:expert only")
    }
    _ = try BlobStores.parse(request.store)
    let spec = GameSpec(
      game: game, discretisation: discretisation, episodes: request.episodes, seed: request.seed,
      model: request.model, maxSteps: request.maxSteps, instruction: request.instruction,
      frameEvery: request.frameEvery, store: request.store,
      seedBase: isPlay ? 0 : GameSpec.trainingSeedBase)
    _ = try GamePolicy.make(spec.model, frames: game.stack, question: spec.question)
    if request.checkEnvironment {
      do {
        try GameServerLocation.find().check(game: game, discretisation: discretisation)
      } catch {
        throw PipelineError(.missingInput, "game environments", error.description)
      }
    }
    return spec
  }

  public static func enqueue(
    _ spec: GameSpec, request: GameRequest, queue: WorkQueue, logger: Logger
  ) throws -> EnqueueResult {
    let json = try JobSpec.encode(spec)
    let store = try BlobStores.parse(spec.store)
    let job = request.newJob(kind: request.kind, json: json, totalQuestions: spec.episodes)
    logger.info(
      "planning job",
      metadata: [
        "job.kind": "\(request.kind)", "job.game": "\(spec.game)", "job.episodes": "\(spec.episodes)",
        "job.model": "\(spec.model)",
      ])
    return try queue.enqueue(job, store: store) { sink in
      for k in 0..<spec.episodes {
        var writer = try ShardWriter(
          kind: .gameEpisode, metadata: #"{"kind":"\#(request.kind)","shard":\#(k)}"#)
        try writer.append(GameEpisodeInput(episode: k, seed: spec.environmentSeed(episode: k)))
        let blob = try writer.finish()
        try sink.add(bytes: blob.bytes, digest: blob.digest, questions: 1)
      }
    }
  }
}
