/// The two games of the paper's Table 4, with what the paper's template needs of each.
public enum GameName: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
  case carracing
  case spaceinvaders

  public var description: String { rawValue }

  /// The environment the server runs (CarRacing-v3: the paper's v0 no longer exists).
  public var environmentID: String {
    switch self {
    case .carracing: "CarRacing-v3"
    case .spaceinvaders: "SpaceInvadersNoFrameskip-v4"
    }
  }

  /// Frames per observation: what the paper's experts were fed (2 CarRacing, 4 SpaceInvaders).
  public var stack: Int {
    switch self {
    case .carracing: 2
    case .spaceinvaders: 4
    }
  }

  /// The `[game identifier]` of the paper's template, in the style of `[refer]`.
  public var identifier: String { rawValue }

  /// The discretisations the server knows; the first is the default.
  public var discretisations: [String] {
    switch self {
    case .carracing: ["gym5", "combo7"]
    case .spaceinvaders: ["ale6"]
    }
  }

  /// Action names by index, as the server reports them for `discretisation`; nil when unknown.
  public func actions(discretisation: String) -> [String]? {
    switch (self, discretisation) {
    case (.carracing, "gym5"): ["NOOP", "RIGHT", "LEFT", "GAS", "BRAKE"]
    case (.carracing, "combo7"): ["NOOP", "RIGHT", "LEFT", "GAS", "BRAKE", "RIGHTGAS", "LEFTGAS"]
    case (.spaceinvaders, "ale6"): ["NOOP", "FIRE", "RIGHT", "LEFT", "RIGHTFIRE", "LEFTFIRE"]
    default: nil
    }
  }

  /// Parses `--game`, with the known names in the error.
  public static func parse(_ text: String) throws(GameError) -> GameName {
    guard let game = GameName(rawValue: text.lowercased()) else {
      throw GameError(
        .badOption, "--game",
        "unknown game '\(text)' (known: \(allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    return game
  }
}
