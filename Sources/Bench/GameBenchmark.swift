import ArgumentParser
import Foundation
import Games

struct GameBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "play-game",
    abstract: "play-game with baseline:expert: steps/s per worker against the environment's own speed.",
    discussion: """
      First the peer: bench/game_env_speed.py drives the same environment, wrappers and scripted \
      expert in one Python process, with no protocol and no PixelProbe (the environment's own \
      speed). Then the job the way users run it (coordinator enqueue play-game, --workers worker \
      processes with --exit-when-idle, coordinator report): steps/s per worker (the report's \
      steps over the episodes' wall time), the share of it spent inside the environment server, \
      and the overhead against the peer. With no frame kept (--frame-every 0), every 10th kept as \
      PNG for render (the default) and every frame kept (--frame-every 1). Needs $DATABASE_URL (a migrated \
      database), release binaries and the game environments (ops/setup.sh).
      """)

  @Option(help: "carracing or spaceinvaders.") var game = "carracing"
  @Option(help: "Episodes (one shard each).") var episodes = 4
  @Option(help: "Steps per episode.") var maxSteps = 300
  @Option(help: "Worker processes.") var workers = 1
  @Option(help: "First environment seed.") var seed: UInt64 = 1000
  @Option(help: "Database URL (default $DATABASE_URL).") var databaseURL: String?

  func run() throws {
    let location = try GameServerLocation.find()
    var load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
    load = load.split(separator: " ").prefix(3).joined(separator: " ")
    print(
      "play-game benchmark: \(game), baseline:expert, \(episodes) episodes of at most \(maxSteps) steps, \(workers) worker(s), \(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(load)"
    )

    var peers = [try peerSpeed(location)]
    print(String(format: "  environment alone (bench/game_env_speed.py, 1 process): %.1f steps/s", peers[0]))

    let run = DistributedRun(
      databaseURL: databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "",
      workers: workers)
    for frameEvery in [0, 10, 1] {
      let arguments = [
        "enqueue", "play-game", "--game", game, "--episodes", "\(episodes)", "--seed", "\(seed)",
        "--max-steps", "\(maxSteps)", "--model", "baseline:expert", "--frame-every", "\(frameEvery)",
        "--idempotency-key", "bench-\(UUID())",
      ]
      let timing = try run.run(
        enqueueArguments: arguments, finish: { ["report", "\($0)", "--format", "json"] })
      let report =
        try JSONSerialization.jsonObject(with: Data(timing.finishOutput.utf8)) as? [String: Any] ?? [:]
      let steps = report["steps"] as? Int ?? 0
      let perWorker = report["steps_per_second"] as? Double ?? 0
      let server = report["env_steps_per_second"] as? Double ?? 0
      let mean = report["mean_reward"] as? Double ?? .nan
      let episodeWall = (report["per_episode"] as? [[String: Any]] ?? []).reduce(0.0) {
        $0 + ($1["wall_seconds"] as? Double ?? 0)
      }
      peers.append(try peerSpeed(location))
      let peer = peers.reduce(0, +) / Double(peers.count)
      print(
        String(
          format:
            "  --frame-every %d: %d steps, mean reward %.1f | per worker %.1f steps/s (server side %.1f) | overhead vs environment alone (mean of the runs so far, %.1f) %.1f %% | all workers %.1f steps/s, wall %.2f s, fixed cost per episode (server start, claim, complete) %.2f s",
          frameEvery, steps, mean, perWorker, server, peer, 100 * (1 - perWorker / peer),
          Double(steps) / timing.work, timing.work,
          (timing.work * Double(workers) - episodeWall) / Double(max(1, episodes))))
      print(String(format: "  environment alone again: %.1f steps/s", peers[peers.count - 1]))
    }
  }

  /// Steps/s of bench/game_env_speed.py on the same episodes.
  func peerSpeed(_ location: GameServerLocation) throws -> Double {
    let script =
      URL(fileURLWithPath: location.script).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path + "/bench/game_env_speed.py"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: location.python)
    process.arguments = [
      script, "--game", game, "--episodes", "\(episodes)", "--max-steps", "\(maxSteps)", "--seed",
      "\(seed)",
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let words = String(decoding: data, as: UTF8.self).split(separator: " ")
    guard process.terminationStatus == 0, let index = words.firstIndex(of: "steps_per_second"),
      index + 1 < words.count,
      let rate = Double(words[index + 1].trimmingCharacters(in: .whitespacesAndNewlines))
    else { throw ValidationError("\(script) failed: \(String(decoding: data, as: UTF8.self))") }
    return rate
  }
}
