public import Games

/// The full specification of a `play-game` or `gen-game` job, stored as the job's JSON spec.
/// Episode `k` is reset with the seed `seedBase + seed + k` (`seedBase` 0 for play-game, 2^31
/// for gen-game), so training and evaluation seeds never meet (docs/games.md).
public struct GameSpec: Codable, Sendable, Equatable {
  public static let playKind = "play-game"
  public static let genKind = "gen-game"
  /// Evaluation seeds are below this, expert (training) seeds from it on.
  public static let trainingSeedBase: UInt64 = 1 << 31

  public var game: GameName
  public var discretisation: String
  public var episodes: Int
  public var seed: UInt64
  /// `baseline:expert` for gen-game.
  public var model: String
  /// Agent steps after which an episode is cut (nil: the whole game).
  public var maxSteps: Int?
  public var instruction: GameInstructionStyle
  /// play-game: keep every N-th step's frame in the output shard (0: none), for `render`.
  public var frameEvery: Int
  public var store: String
  public var seedBase: UInt64

  /// The environment seed of episode `k`.
  public func environmentSeed(episode k: Int) -> UInt64 { seedBase + seed + UInt64(k) }

  public var actions: [String] { game.actions(discretisation: discretisation) ?? [] }

  /// The question after the frames.
  public var question: String {
    GamePrompt.question(game: game, actions: actions, style: instruction)
  }
}
