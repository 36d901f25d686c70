import Foundation
import Testing

/// The `worker` executable's own options, through the real process.
@Suite struct WorkerCommandTests {
  static let down = "postgresql://127.0.0.1:1/pixelprobe?connect_timeout=1"

  /// The first connection is tried as often as `--connect-attempts` (or
  /// PIXELPROBE_CONNECT_ATTEMPTS) says, as the coordinator does; the flag wins over the variable.
  @Test(arguments: [
    (["--connect-attempts", "2"], [String: String](), 2),
    ([], ["PIXELPROBE_CONNECT_ATTEMPTS": "3"], 3),
    (["--connect-attempts", "1"], ["PIXELPROBE_CONNECT_ATTEMPTS": "5"], 1),
  ])
  func theWorkerHonoursConnectAttempts(
    arguments: [String], environment: [String: String], attempts: Int
  ) throws {
    var env = environment
    env["DATABASE_URL"] = Self.down
    let started = Date()
    let result = try ProcessRunner.run("worker", ["--exit-when-idle"] + arguments, environment: env)
    #expect(result.status != 0)
    #expect(result.stderr.contains("after \(attempts) attempt(s)"), "\(result.stderr)")
    // Eight attempts (the default) take about 11 s of backoff; these take well under 5.
    #expect(Date().timeIntervalSince(started) < 5)
  }

  @Test func idleGraceNeedsExitWhenIdle() throws {
    let result = try ProcessRunner.run(
      "worker", ["--idle-grace", "5"], environment: ["DATABASE_URL": Self.down])
    #expect(result.status != 0)
    #expect(result.stderr.contains("--idle-grace needs --exit-when-idle"), "\(result.stderr)")
  }
}
