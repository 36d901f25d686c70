import Foundation
import Games
public import Queue

/// The Table 4 figures of one play-game (or gen-game) job, read from the `game_job_report` view
/// and the per-episode rows of `game_episode_metrics`.
public struct GameReport: Sendable {
  public struct Episode: Sendable, Equatable {
    public var episode: Int
    public var seed: UInt64
    public var reward: Double
    public var steps: Int
    public var unparsable: Int
    public var ended: String
    public var wallSeconds: Double
    public var envSeconds: Double
  }

  public var job: Int64
  public var kind: String
  public var state: String
  public var spec: GameSpec
  /// Episodes played so far (in episode order).
  public var episodes: [Episode]
  public var meanReward: Double?
  public var stdReward: Double?
  public var steps: Int64
  public var unparsable: Int64
  /// Steps per second of the whole episode loop, and of the environment server alone.
  public var stepsPerSecond: Double?
  public var envStepsPerSecond: Double?

  public static func load(job: Int64, connection: PGConnection) throws -> GameReport {
    let jobs = try connection.query("SELECT kind, state, spec::text FROM jobs WHERE id = $1", [.int(job)])
    guard jobs.count == 1, let kind = jobs.string(0, 0), let state = jobs.string(0, 1),
      let json = jobs.string(0, 2)
    else { throw PipelineError(.notFound, "job \(job)", "no such job") }
    guard kind == GameSpec.playKind || kind == GameSpec.genKind else {
      throw PipelineError(.badOption, "job \(job)", "is a \(kind) job, not a game job")
    }
    let spec: GameSpec = try JobSpec.decode(json, job: job)
    let summary = try connection.query(
      """
      SELECT mean_reward, std_reward, steps, unparsable, steps_per_second, env_steps_per_second
      FROM game_job_report WHERE job_id = $1
      """, [.int(job)])
    let rows = try connection.query(
      """
      SELECT episode, env_seed, reward, steps, unparsable, ended, wall_seconds, env_seconds
      FROM game_episode_metrics WHERE job_id = $1 ORDER BY episode
      """, [.int(job)])
    let episodes = (0..<rows.count).map { r in
      Episode(
        episode: rows.int(r, 0) ?? 0, seed: UInt64(rows.int64(r, 1) ?? 0), reward: rows.double(r, 2) ?? 0,
        steps: rows.int(r, 3) ?? 0, unparsable: rows.int(r, 4) ?? 0, ended: rows.string(r, 5) ?? "",
        wallSeconds: rows.double(r, 6) ?? 0, envSeconds: rows.double(r, 7) ?? 0)
    }
    let has = summary.count == 1
    return GameReport(
      job: job, kind: kind, state: state, spec: spec, episodes: episodes,
      meanReward: has ? summary.double(0, 0) : nil, stdReward: has ? summary.double(0, 1) : nil,
      steps: has ? summary.int64(0, 2) ?? 0 : 0, unparsable: has ? summary.int64(0, 3) ?? 0 : 0,
      stepsPerSecond: has ? summary.double(0, 4) : nil,
      envStepsPerSecond: has ? summary.double(0, 5) : nil)
  }

  static func figure(_ value: Double?, digits: Int = 2) -> String {
    guard let value else { return "-" }
    return String(format: "%.\(digits)f", value)
  }

  /// The paper's Table 4 layout for this job, then every episode.
  public func text() -> String {
    var out =
      "\(kind) job \(job) (\(state)): \(spec.game) (\(spec.game.environmentID), actions \(spec.discretisation)), "
    out += "model \(spec.model), \(episodes.count) of \(spec.episodes) episodes"
    if let maxSteps = spec.maxSteps { out += ", at most \(maxSteps) steps each" }
    out += "\n\nTable 4: mean reward over \(episodes.count) episodes\n"
    let width = max(35, spec.model.count + 2)
    out += "game            " + "model".padding(toLength: width, withPad: " ", startingAt: 0)
    out += "episodes   mean_reward   std_reward\n"
    out +=
      spec.game.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
      + spec.model.padding(toLength: width, withPad: " ", startingAt: 0)
      + String(episodes.count).leftPadded(8)
      + Self.figure(meanReward).leftPadded(14) + Self.figure(stdReward).leftPadded(13) + "\n"
    out += "\nsteps \(steps), unparsable answers \(unparsable) (played as NOOP)"
    out +=
      ", steps/s \(Self.figure(stepsPerSecond, digits: 1)) (environment alone \(Self.figure(envStepsPerSecond, digits: 1)))\n"
    out += "\nepisode        seed     reward   steps  unparsable  ended       wall_s\n"
    for e in episodes {
      out +=
        String(e.episode).leftPadded(7) + String(e.seed).leftPadded(12)
        + Self.figure(e.reward).leftPadded(11) + String(e.steps).leftPadded(8)
        + String(e.unparsable).leftPadded(12) + "  "
        + e.ended.padding(toLength: 10, withPad: " ", startingAt: 0)
        + Self.figure(e.wallSeconds, digits: 1).leftPadded(8) + "\n"
    }
    return out
  }

  public func json() -> String {
    func number(_ value: Double?) -> Any { value.map { $0 as Any } ?? NSNull() }
    let object: [String: Any] = [
      "job": job, "kind": kind, "state": state, "game": spec.game.rawValue,
      "environment": spec.game.environmentID, "discretisation": spec.discretisation,
      "model": spec.model, "planned_episodes": spec.episodes, "episodes": episodes.count,
      "max_steps": spec.maxSteps.map { $0 as Any } ?? NSNull(),
      "mean_reward": number(meanReward), "std_reward": number(stdReward), "steps": steps,
      "unparsable": unparsable, "steps_per_second": number(stepsPerSecond),
      "env_steps_per_second": number(envStepsPerSecond),
      "per_episode": episodes.map { e -> [String: Any] in
        [
          "episode": e.episode, "seed": e.seed, "reward": e.reward, "steps": e.steps,
          "unparsable": e.unparsable, "ended": e.ended, "wall_seconds": e.wallSeconds,
          "env_seconds": e.envSeconds,
        ]
      },
    ]
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  public func csv() -> String {
    var out = "job,game,model,episode,seed,reward,steps,unparsable,ended,wall_seconds,env_seconds\n"
    for e in episodes {
      out +=
        "\(job),\(spec.game.rawValue),\"\(spec.model.replacingOccurrences(of: "\"", with: "\"\""))\",\(e.episode),\(e.seed),\(e.reward),\(e.steps),\(e.unparsable),\(e.ended),\(e.wallSeconds),\(e.envSeconds)\n"
    }
    return out
  }

  /// Several game jobs side by side as the paper's Table 4: a row per model, a column per game,
  /// `mean ± std (episodes)`.
  public static func compare(_ reports: [GameReport]) -> String {
    var models: [String] = []
    var cells: [String: String] = [:]
    for report in reports {
      if !models.contains(report.spec.model) { models.append(report.spec.model) }
      cells["\(report.spec.model)|\(report.spec.game.rawValue)"] =
        "\(figure(report.meanReward)) ± \(figure(report.stdReward)) (\(report.episodes.count))"
    }
    let games = GameName.allCases.map(\.rawValue)
    let width = max(36, (models.map(\.count).max() ?? 0) + 2)
    var out = "Table 4: mean reward ± std (episodes)\n"
    out += "model".padding(toLength: width, withPad: " ", startingAt: 0)
    out += games.map { $0.padding(toLength: 28, withPad: " ", startingAt: 0) }.joined() + "\n"
    for model in models {
      out += model.padding(toLength: width, withPad: " ", startingAt: 0)
      out += games.map { (cells["\(model)|\($0)"] ?? "-").padding(toLength: 28, withPad: " ", startingAt: 0) }
        .joined()
      out += "\n"
    }
    return out
  }
}

extension String {
  func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
