import Foundation
import Games
import Imaging
import Model
import Queue

/// Plays one episode: resets the server with the episode's seed, keeps the last `stack` frames
/// (the reset frame stands in for the frames before it), asks the policy for each action, and
/// reports every step. Server and model failures become shard failures.
struct GameEpisodeRunner {
  enum Ending: String {
    case terminated, truncated
    case maxSteps = "max_steps"
  }

  struct Step {
    var index: Int
    /// The frames the action was chosen on, oldest first.
    var frames: [RGBImage]
    var action: Int
    var parsed: Bool
    var answer: String
    var reward: Double
    var expert: Int?
  }

  struct Summary {
    var reward: Double = 0
    var steps = 0
    var unparsable = 0
    var ending = Ending.terminated
    var wallSeconds = 0.0
    var envSeconds = 0.0
  }

  var spec: GameSpec
  var name: String

  func run(
    server: GameServer, seed: UInt64, policy: GamePolicy, isCancelled: () -> Bool,
    onStep: (Step) throws -> Void
  ) throws -> Summary {
    let started = Date()
    var summary = Summary()
    let question = spec.question
    let actions = server.actions
    var random = GameRandomPolicy(seed: seed)
    func timed(_ body: () throws(GameError) -> GameObservation) throws -> GameObservation {
      let start = Date()
      defer { summary.envSeconds += Date().timeIntervalSince(start) }
      do {
        return try body()
      } catch {
        throw ShardFailure(
          retryable: error.code != .protocolError, code: "env-\(error.code.rawValue)",
          message: "\(name): \(error)")
      }
    }
    var observation = try timed { () throws(GameError) in try server.reset(seed: seed) }
    var frames = Array(repeating: observation.frame, count: spec.game.stack)
    while true {
      if observation.isDone {
        summary.ending = observation.terminated ? .terminated : .truncated
        break
      }
      if let maxSteps = spec.maxSteps, summary.steps >= maxSteps {
        summary.ending = .maxSteps
        break
      }
      if isCancelled() {
        throw ShardFailure(retryable: true, code: "cancelled", message: "\(name): lease lost")
      }
      var action = 0
      var parsed = true
      var answer = ""
      switch policy {
      case .expert:
        guard let expert = observation.expert else {
          throw ShardFailure(
            retryable: false, code: "env-protocol", message: "\(name): no expert action")
        }
        action = expert
      case .random:
        action = random.next(below: actions.count)
      case .model(let model):
        do {
          answer = try model.answer(question, images: frames)
        } catch let error as ModelError {
          throw ShardFailure(
            retryable: error.isTransient,
            code: "model-\(error.code.rawValue)", message: "\(name) step \(summary.steps): \(error)")
        }
        if let chosen = GameAction.parse(answer, actions: actions) {
          action = chosen
        } else {
          parsed = false
          summary.unparsable += 1
        }
      }
      let expert = observation.expert
      let chosen = action
      observation = try timed { () throws(GameError) in try server.step(chosen) }
      summary.reward += observation.reward
      try onStep(
        Step(
          index: summary.steps, frames: frames, action: action, parsed: parsed, answer: answer,
          reward: observation.reward, expert: expert))
      summary.steps += 1
      frames.removeFirst()
      frames.append(observation.frame)
    }
    summary.wallSeconds = Date().timeIntervalSince(started)
    return summary
  }
}
