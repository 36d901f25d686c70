import Foundation
import Games
import Imaging
import Pipeline
import Queue
import Testing

/// play-game and gen-game through the real `coordinator`, `worker` and environment server
/// processes, with episodes cut short (--max-steps) so the suite stays fast. Figures are checked
/// against episodes replayed here, directly against a server.
@Suite(.serialized) struct GameEndToEndTests {
  static var environment: [String: String] {
    get throws { ["DATABASE_URL": try PrivateDatabase.games.url()] }
  }

  static func location() throws -> GameServerLocation {
    try GameServerLocation.find(environment: [
      "PIXELPROBE_ENVS_SERVER": TestEnvironment.repositoryRoot + "/ops/envs/server.py"
    ])
  }

  static func enqueue(_ kind: String, _ arguments: [String], environment extra: [String: String] = [:])
    throws -> ProcessRunner.Finished
  {
    var environment = try environment
    for (key, value) in extra { environment[key] = value }
    return try ProcessRunner.run(
      "coordinator",
      ["enqueue", kind, "--idempotency-key", UUID().uuidString] + arguments, environment: environment)
  }

  /// Enqueues and runs a job with `workers` worker processes taking only game shards; returns the
  /// job id once it ended (`succeeds`: whether it must have succeeded).
  static func run(
    _ kind: String, _ arguments: [String], workers: Int = 2, succeeds: Bool = true,
    environment extra: [String: String] = [:]
  ) throws -> Int64 {
    let enqueued = try enqueue(kind, arguments)
    #expect(enqueued.status == 0, "\(enqueued.stderr)")
    let job = try #require(Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    var environment = try environment
    for (key, value) in extra { environment[key] = value }
    let started = try (0..<workers).map { _ in
      try ProcessRunner.start(
        "worker", ["--exit-when-idle", "--concurrency", "1", "--kinds", "play-game", "gen-game"],
        environment: environment)
    }
    for (process, out, err) in started {
      let finished = ProcessRunner.finish(process, out, err)
      #expect(finished.status == 0, "\(finished.stderr)")
    }
    let waited = try ProcessRunner.run(
      "coordinator", ["wait", "\(job)", "--timeout", "120"], environment: try Self.environment)
    #expect((waited.status == 0) == succeeds, "\(waited.stderr)")
    return job
  }

  static func report(_ job: Int64) throws -> [String: Any] {
    let result = try ProcessRunner.run(
      "coordinator", ["report", "\(job)", "--format", "json"], environment: try environment)
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
  }

  static func export(_ job: Int64) throws -> [[String: Any]] {
    let result = try ProcessRunner.run("coordinator", ["export", "\(job)"], environment: try environment)
    #expect(result.status == 0, "\(result.stderr)")
    return try result.stdout.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }

  /// Replays an episode against a fresh server: the rewards of `actions` (or of the expert), the
  /// actions, and the frame each action was chosen on.
  static func replay(
    _ game: GameName, seed: UInt64, steps: Int, actions: ((Int) -> Int)? = nil
  ) throws -> (rewards: [Double], actions: [Int], frames: [RGBImage]) {
    let server = try GameServer(
      game: game, discretisation: game.discretisations[0], expert: actions == nil,
      location: try location())
    defer { server.close() }
    var observation = try server.reset(seed: seed)
    var rewards: [Double] = []
    var played: [Int] = []
    var frames: [RGBImage] = []
    while played.count < steps && !observation.isDone {
      let action = try actions.map { $0(played.count) } ?? #require(observation.expert)
      played.append(action)
      frames.append(observation.frame)
      observation = try server.step(action)
      rewards.append(observation.reward)
    }
    return (rewards, played, frames)
  }

  @Test func randomBaselineEpisodesMatchAReplayAndTheReport() throws {
    let job = try Self.run(
      "play-game",
      [
        "--game", "carracing", "--episodes", "3", "--seed", "5", "--model", "baseline:random",
        "--max-steps", "20", "--frame-every", "1",
      ])
    // The same seeds and the same random stream, replayed here.
    var totals: [Double] = []
    for k in 0..<3 {
      let seed = UInt64(5 + k)
      var random = GameRandomPolicy(seed: seed)
      let replayed = try Self.replay(.carracing, seed: seed, steps: 20) { _ in random.next(below: 5) }
      totals.append(replayed.rewards.reduce(0, +))
    }
    let report = try Self.report(job)
    #expect(report["episodes"] as? Int == 3)
    #expect(report["steps"] as? Int == 60)
    #expect(report["unparsable"] as? Int == 0)
    let episodes = try #require(report["per_episode"] as? [[String: Any]])
    #expect(episodes.map { $0["seed"] as? Int } == [5, 6, 7])
    #expect(episodes.map { $0["ended"] as? String } == ["max_steps", "max_steps", "max_steps"])
    for (row, total) in zip(episodes, totals) {
      #expect(abs((row["reward"] as? Double ?? .nan) - total) < 1e-9)
    }
    let mean = totals.reduce(0, +) / 3
    let std = (totals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
    #expect(abs((report["mean_reward"] as? Double ?? .nan) - mean) < 1e-9)
    #expect(abs((report["std_reward"] as? Double ?? .nan) - std) < 1e-9)

    // The text report is Table 4's row; render draws the first 12 stored frames of episode 0.
    let text = try ProcessRunner.run("coordinator", ["report", "\(job)"], environment: try Self.environment)
    #expect(text.stdout.contains("Table 4"))
    #expect(text.stdout.contains(String(format: "%.2f", mean)))
    let out = NSTemporaryDirectory() + "pixelprobe-game-render-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: out) }
    let rendered = try ProcessRunner.run(
      "coordinator", ["render", "\(job)", "--out", out, "--episode", "1"], environment: try Self.environment)
    #expect(rendered.status == 0, "\(rendered.stderr)")
    let strip = try ImageDecoder.decode(
      [UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/episode-1.png"))), name: "strip")
    #expect(strip.width == 12 * 96 + 11 * 4 && strip.height == 96)
    let html = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
    #expect(html.contains("seed 6"))
  }

  @Test func openAIModelSeesEveryFrameOfTheStack() throws {
    let server = try FakeVLMProcess()
    let job = try Self.run(
      "play-game",
      [
        "--game", "spaceinvaders", "--episodes", "1", "--seed", "2", "--model",
        server.model("game", options: "template=minigptv2"), "--max-steps", "6", "--frame-every", "1",
      ], workers: 1)
    let report = try Self.report(job)
    // The fake answers "got N images" unless all 4 frames came: every answer parsed.
    #expect(report["unparsable"] as? Int == 0)
    #expect(report["steps"] as? Int == 6)
    // Each answer is the mean byte of the newest frame modulo 6: recompute it from the frames the
    // worker kept.
    let connection = try PrivateDatabase.games.connect()
    let rows = try connection.query(
      "SELECT output_digest FROM shards WHERE job_id = $1 AND idx = 0", [.int(job)])
    let digest = try #require(rows.string(0, 0))
    let blob = try #require(
      try connection.query("SELECT data FROM blobs WHERE digest = $1", [.text(digest)]).bytes(0, 0))
    let steps = try Self.export(job)
    #expect(steps.count == 6)
    let played = try PlayedEpisode(blob: blob, digest: digest)
    for (n, step) in played.steps.enumerated() {
      let frame = try ImageDecoder.decode(step.frame, name: "step \(n)")
      #expect(frame.width == 160 && frame.height == 210)
      let mean = frame.pixels.reduce(0) { $0 + Int($1) } / frame.pixels.count
      #expect(step.answer == "\(mean % 6)", "step \(n)")
      #expect(step.action == mean % 6)
      #expect(steps[n]["answer"] as? String == step.answer)
    }
  }

  @Test(arguments: [(GameName.carracing, 2), (GameName.spaceinvaders, 4)])
  func genGameRecordsStackedExpertObservations(game: GameName, stack: Int) throws {
    let job = try Self.run(
      "gen-game", ["--game", game.rawValue, "--games", "2", "--seed", "1", "--max-steps", "5"])
    let records = try Self.export(job)
    #expect(records.count == 10)
    let question = GamePrompt.question(
      game: game, actions: game.actions(discretisation: game.discretisations[0])!, style: .full)
    for episode in 0..<2 {
      let seed = GameSpec.trainingSeedBase + 1 + UInt64(episode)
      let expert = try Self.replay(game, seed: seed, steps: 5)
      let mine = records.filter { $0["episode"] as? Int == episode }
      #expect(mine.map { $0["step"] as? Int } == [0, 1, 2, 3, 4])
      #expect(mine.map { $0["action"] as? Int } == expert.actions)
      var previous: [String] = []
      for (k, record) in mine.enumerated() {
        let frames = try #require(record["frames"] as? [String])
        #expect(frames.count == stack)
        #expect(record["question"] as? String == question)
        let action = try #require(record["action"] as? Int)
        #expect((0..<(game == .carracing ? 5 : 6)).contains(action))
        #expect(record["answer"] as? String == "\(action)")
        if previous.isEmpty {
          // At reset every slot holds the reset frame.
          #expect(Set(frames).count == 1)
        } else {
          // Oldest first: the stack moved one frame on.
          #expect(Array(frames.dropLast()) == Array(previous.dropFirst()))
        }
        // The newest frame is the observation the expert acted on.
        let newest = try ImageDecoder.decode(
          [UInt8](try #require(Data(base64Encoded: frames[stack - 1]))), name: "frame")
        #expect(newest == expert.frames[k])
        previous = frames
      }
    }
    let rows = try PrivateDatabase.games.connect().query(
      "SELECT env_seed FROM game_episode_metrics WHERE job_id = $1 ORDER BY episode", [.int(job)])
    #expect(rows.int64(0, 0) == Int64(1 << 31) + 1 && rows.int64(1, 0) == Int64(1 << 31) + 2)
  }

  /// `pixelprobe-train imitate` on a real gen-game job's output (read from the database): a few
  /// steps of the micro model, then the held-out score of the weights it wrote. A question too
  /// long for the model is refused before training, naming the shorter `--instruction`.
  @Test func imitationTrainsOnGenGameOutputAndScoresHeldOutObservations() throws {
    let short = try Self.run(
      "gen-game",
      ["--game", "carracing", "--games", "1", "--seed", "40", "--max-steps", "6", "--instruction", "none"])
    let full = try Self.run(
      "gen-game", ["--game", "carracing", "--games", "1", "--seed", "41", "--max-steps", "2"])
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imitate-\(UUID())").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    func imitate(_ job: Int64, holdout: Int64? = nil) throws -> ProcessRunner.Finished {
      try ProcessRunner.run(
        "pixelprobe-train",
        [
          "imitate", "--job", "\(job)", "--holdout-job", "\(holdout ?? short)", "--size", "micro", "--steps",
          "3",
          "--examples-per-step", "4", "--threads", "1", "--checkpoint", directory + "/\(job).checkpoint",
          "--out", directory + "/\(job).safetensors",
        ], environment: try Self.environment)
    }
    let trained = try imitate(short)
    #expect(trained.status == 0, "\(trained.stderr)")
    #expect(trained.stderr.contains("observations=6"))
    #expect(trained.stderr.contains("3 steps (resumed at 0)"))
    // One line: the 6 held-out observations, and the answers counted (parsed or not).
    let line = trained.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(line.hasPrefix("held-out job \(short): 6 observations, expert's action answered "))
    #expect(FileManager.default.fileExists(atPath: directory + "/\(short).safetensors"))
    // A held-out job that is not there fails before any training, naming it.
    let missing = try imitate(short, holdout: 999_999_999)
    #expect(missing.status != 0)
    #expect(missing.stderr.contains("job 999999999: no such job"), "\(missing.stderr)")
    #expect(!missing.stderr.contains("steps (resumed"))
    let refused = try imitate(full)
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("shorter --instruction"), "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: directory + "/\(full).safetensors"))
  }

  @Test func serverDyingMidEpisodeFailsTheShardAndIsReaped() throws {
    let directory = NSTemporaryDirectory() + "pixelprobe-dying-\(getpid())-\(UUID().uuidString.prefix(6))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let script = directory + "/dying_server.py"
    // The real server, which exits (status 3) at its fourth step request.
    try """
    import importlib.util, os
    spec = importlib.util.spec_from_file_location("server", \(jsonString(TestEnvironment.repositoryRoot + "/ops/envs/server.py")))
    server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(server)
    handle = server.Server.handle
    steps = [0]
    def dying(self, request):
        if request.get("op") == "step":
            steps[0] += 1
            if steps[0] > 3:
                os._exit(3)
        return handle(self, request)
    server.Server.handle = dying
    server.main()
    """.write(toFile: script, atomically: true, encoding: .utf8)
    let location = try Self.location()
    let job = try Self.run(
      "play-game",
      [
        "--game", "carracing", "--episodes", "1", "--model", "baseline:random", "--max-steps", "10",
        "--max-attempts", "1",
      ], workers: 1, succeeds: false,
      environment: ["PIXELPROBE_ENVS_SERVER": script, "PIXELPROBE_ENVS_PYTHON": location.python])
    let rows = try PrivateDatabase.games.connect().query(
      "SELECT state, error FROM shards WHERE job_id = $1", [.int(job)])
    #expect(rows.string(0, 0) == "dead")
    let error = rows.string(0, 1) ?? ""
    #expect(error.contains("env-serverDied") && error.contains("exited with status 3"), "\(error)")
    // No process still runs the script.
    let running = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { entry in
      guard Int(entry) != nil,
        let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
      else { return false }
      return String(decoding: cmdline, as: UTF8.self).contains(script)
    }
    #expect(running.isEmpty)
    let metrics = try PrivateDatabase.games.connect().query(
      "SELECT count(*) FROM game_episode_metrics WHERE job_id = $1", [.int(job)])
    #expect(metrics.int(0, 0) == 0)
  }

  static func gameJobCount() throws -> Int {
    try PrivateDatabase.games.connect().query(
      "SELECT count(*) FROM jobs WHERE kind IN ('play-game', 'gen-game')"
    ).int(0, 0) ?? -1
  }

  @Test(arguments: [
    (["--game", "pong"], "unknown game 'pong' (known: carracing, spaceinvaders)"),
    (["--game", "carracing", "--episodes", "0"], "--episodes: must be between 1 and 100000"),
    (["--game", "carracing", "--model", "baseline:mean"], "cannot take several images"),
    (["--game", "carracing", "--discretisation", "ale6"], "has no discretisation 'ale6'"),
    (["--game", "carracing", "--seed", "2147483647", "--episodes", "2"], "within 2^31"),
    (
      ["--game", "spaceinvaders", "--model", "native:random?seed=1&size=tiny"],
      "a shorter --instruction, brief or none, may fit"
    ),
  ])
  func badInputIsRefusedBeforeAnythingIsEnqueued(arguments: [String], message: String) throws {
    let before = try Self.gameJobCount()
    let result = try Self.enqueue("play-game", arguments)
    #expect(result.status != 0)
    #expect(result.stderr.contains(message), "\(result.stderr)")
    #expect(try Self.gameJobCount() == before)
  }

  @Test func missingEnvironmentPackagesSayHowToInstall() throws {
    let before = try Self.gameJobCount()
    let result = try Self.enqueue(
      "play-game", ["--game", "carracing"], environment: ["PIXELPROBE_ENVS_VENV": "/nonexistent/venv"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("ops/setup.sh"), "\(result.stderr)")
    #expect(try Self.gameJobCount() == before)
  }

  @Test func nativeModelWithBriefEnoughQuestionIsAccepted() throws {
    // The tiny model's 384 positions hold 4 frames only without the instruction.
    let result = try Self.enqueue(
      "play-game",
      [
        "--game", "spaceinvaders", "--model", "native:random?seed=1&size=tiny", "--instruction", "none",
        "--episodes", "1", "--max-steps", "1",
      ])
    #expect(result.status == 0, "\(result.stderr)")
    // Cancel it: this suite's workers would otherwise play it.
    let job = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    _ = try ProcessRunner.run("coordinator", ["cancel", job], environment: try Self.environment)
  }
}

private func jsonString(_ text: String) -> String {
  "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
