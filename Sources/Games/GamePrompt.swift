/// How much of the game's instruction the question carries.
public enum GameInstructionStyle: String, Codable, Sendable, CaseIterable {
  /// Objective, tips and the action space (the paper's "game instruction").
  case full
  /// Only the action space.
  case brief
  /// Nothing before the identifier: for models whose context cannot hold more (the native tiny
  /// model with 4 frames).
  case none
}

/// The paper's game template (section 3.4): the frames as images, then
/// `{game instruction} [{game identifier}] choose an action from Action Space: `.
public enum GamePrompt {
  /// `[0: NOOP, 1: FIRE, ...]`, the paper's way of listing an action space.
  public static func actionSpace(_ actions: [String]) -> String {
    "[" + actions.enumerated().map { "\($0.offset): \($0.element)" }.joined(separator: ", ") + "]"
  }

  public static func instruction(
    game: GameName, actions: [String], style: GameInstructionStyle
  ) -> String {
    let space = "Action Space: " + actionSpace(actions) + "."
    switch style {
    case .none:
      return ""
    case .brief:
      return space
    case .full:
      switch game {
      case .carracing:
        return
          "You drive the red race car seen from above. Every new road tile you reach earns points and every frame costs a little, so stay on the grey road and go fast, slowing down before sharp turns. "
          + space
      case .spaceinvaders:
        return
          "You control the cannon at the bottom of the screen. Shoot the invaders for points, dodge their bullets and use the shields as cover; the game ends when the invaders land or your lives run out. "
          + space
      }
    }
  }

  /// The question text that follows the frames.
  public static func question(game: GameName, actions: [String], style: GameInstructionStyle)
    -> String
  {
    let instruction = instruction(game: game, actions: actions, style: style)
    return (instruction.isEmpty ? "" : instruction + " ")
      + "[\(game.identifier)] choose an action from Action Space: "
  }
}

/// The `baseline:random` policy: action `i` of an episode is a pure function of the episode's
/// environment seed and `i` (SplitMix64), so a rerun plays the same game.
public struct GameRandomPolicy: Sendable {
  private var state: UInt64

  public init(seed: UInt64) {
    state = seed ^ 0x5241_4E44_4F4D_0000  // "RANDOM": a stream apart from the seed itself
  }

  public mutating func next(below count: Int) -> Int {
    precondition(count > 0)
    let bound = UInt64(count)
    let limit = UInt64.max - UInt64.max % bound
    while true {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      z ^= z >> 31
      if z < limit { return Int(z % bound) }
    }
  }
}
