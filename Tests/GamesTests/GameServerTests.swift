import Foundation
import Games
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Drives the real environment server (ops/envs/server.py in .venv-envs, installed by
/// ops/setup.sh).
@Suite struct GameServerTests {
  static let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  static func location() throws -> GameServerLocation {
    try GameServerLocation.find(environment: ["PIXELPROBE_ENVS_SERVER": root + "/ops/envs/server.py"])
  }

  /// True once the process is gone (reaped, so not even a zombie).
  static func isGone(_ pid: pid_t) -> Bool {
    kill(pid, 0) != 0 && errno == ESRCH
  }

  @Test(arguments: GameName.allCases.flatMap { game in game.discretisations.map { (game, $0) } })
  func roundTripGivesFramesOfTheGamesSize(game: GameName, discretisation: String) throws {
    let server = try GameServer(
      game: game, discretisation: discretisation, expert: true, location: try Self.location())
    defer { server.close() }
    #expect(server.actions == game.actions(discretisation: discretisation))
    #expect(server.environmentID == game.environmentID)
    let first = try server.reset(seed: 7)
    let (height, width) = game == .carracing ? (96, 96) : (210, 160)
    #expect(first.frame.width == width && first.frame.height == height)
    #expect(first.steps == 0 && first.reward == 0 && !first.isDone)
    let expert = try #require(first.expert)
    #expect(server.actions.indices.contains(expert))
    let next = try server.step(expert)
    #expect(next.steps == 1)
    #expect(next.frame.pixels.count == width * height * 3)
    // The last action of the set is accepted too (combo7's LEFTGAS runs the continuous table).
    #expect(try server.step(server.actions.count - 1).steps == 2)
  }

  @Test(arguments: GameName.allCases)
  func sameSeedAndActionsGiveSameRewards(game: GameName) throws {
    // A fixed, varied action sequence (not the expert, so both runs choose alike by construction).
    let count = game.actions(discretisation: game.discretisations[0])!.count
    let actions = (0..<60).map { ($0 * 7 + $0 / 5) % count }
    func play(seed: UInt64) throws -> ([Double], [UInt8]) {
      let server = try GameServer(
        game: game, discretisation: game.discretisations[0], expert: false, location: try Self.location())
      defer { server.close() }
      var rewards: [Double] = []
      var last = try server.reset(seed: seed)
      for action in actions where !last.isDone {
        last = try server.step(action)
        rewards.append(last.reward)
      }
      return (rewards, last.frame.pixels)
    }
    let a = try play(seed: 11)
    let b = try play(seed: 11)
    let c = try play(seed: 12)
    #expect(a.0 == b.0)
    #expect(a.1 == b.1)
    // A different seed is a different episode (another track, other no-ops).
    #expect(a.1 != c.1)
  }

  @Test func refusedRequestsAreProtocolErrorsAndTheServerGoesOn() throws {
    let server = try GameServer(
      game: .carracing, discretisation: "gym5", expert: false, location: try Self.location())
    defer { server.close() }
    #expect {
      try server.step(0)  // before reset
    } throws: { error in
      (error as? GameError)?.code == .protocolError
        && (error as? GameError)?.description.contains("before reset") == true
    }
    _ = try server.reset(seed: 1)
    #expect(throws: GameError.self) { try server.step(9) }
    #expect(try server.step(3).steps == 1)
  }

  @Test func serverThatDiesMidEpisodeFailsCleanlyAndIsReaped() throws {
    let server = try GameServer(
      game: .carracing, discretisation: "gym5", expert: false, location: try Self.location())
    _ = try server.reset(seed: 3)
    _ = try server.step(3)
    let pid = try #require(server.processID)
    kill(pid, SIGKILL)
    #expect {
      try server.step(3)
    } throws: { error in
      let error = error as? GameError
      return error?.code == .serverDied && error?.description.contains("killed by signal 9") == true
    }
    #expect(server.processID == nil)
    #expect(Self.isGone(pid))
    #expect(throws: GameError.self) { try server.step(0) }
  }

  @Test func droppedServerIsReaped() throws {
    var pid: pid_t = 0
    do {
      let server = try GameServer(
        game: .spaceinvaders, discretisation: "ale6", expert: false, location: try Self.location())
      pid = try #require(server.processID)
      _ = try server.reset(seed: 1)
    }
    #expect(pid > 0 && Self.isGone(pid))
  }

  @Test func hungServerTimesOutAndIsKilled() throws {
    let server = try GameServer(
      game: .carracing, discretisation: "gym5", expert: false, location: try Self.location(),
      timeout: 1)
    let pid = try #require(server.processID)
    kill(pid, SIGSTOP)
    #expect {
      try server.reset(seed: 1)
    } throws: { error in
      (error as? GameError)?.code == .timeout
    }
    #expect(Self.isGone(pid))
  }

  @Test func missingPythonSaysHowToInstall() {
    #expect {
      try GameServerLocation.find(environment: [
        "PIXELPROBE_ENVS_SERVER": Self.root + "/ops/envs/server.py",
        "PIXELPROBE_ENVS_VENV": "/nonexistent/venv",
      ])
    } throws: { error in
      let error = error as? GameError
      return error?.code == .notInstalled && error?.description.contains("ops/setup.sh") == true
    }
  }

  @Test func pythonWithoutThePackagesFailsTheCheck() throws {
    // The system interpreter has no gymnasium: making a game must say how to install it.
    let location = GameServerLocation(python: "/usr/bin/python3", script: Self.root + "/ops/envs/server.py")
    #expect {
      try location.check(game: .carracing, discretisation: "gym5")
    } throws: { error in
      let error = error as? GameError
      return error?.code == .notInstalled && error?.description.contains("ops/setup.sh") == true
    }
  }

  @Test func unknownDiscretisationIsRefusedBeforeStarting() throws {
    #expect {
      try GameServer(
        game: .carracing, discretisation: "paper", expert: false, location: try Self.location())
    } throws: { error in
      (error as? GameError)?.code == .badOption
    }
  }
}
