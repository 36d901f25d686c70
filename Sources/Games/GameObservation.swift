public import Imaging

/// What the server replies to `reset` and `step`.
public struct GameObservation: Sendable, Equatable {
  /// The step's reward (0 at reset), unclipped.
  public var reward: Double
  public var terminated: Bool
  public var truncated: Bool
  /// Agent steps since reset.
  public var steps: Int
  /// The scripted expert's action for this observation, when the server was made with it.
  public var expert: Int?
  public var frame: RGBImage

  public init(
    reward: Double, terminated: Bool, truncated: Bool, steps: Int, expert: Int?, frame: RGBImage
  ) {
    self.reward = reward
    self.terminated = terminated
    self.truncated = truncated
    self.steps = steps
    self.expert = expert
    self.frame = frame
  }

  public var isDone: Bool { terminated || truncated }
}
