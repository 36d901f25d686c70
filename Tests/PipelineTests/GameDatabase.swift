import Foundation
import Queue
import Synchronization

/// A database of the test cluster for the game suite alone: workers of other suites run every
/// job kind they see, and must neither play these episodes (the dying-server case sets its
/// server for its own workers only) nor be slowed by them.
enum GameDatabase {
  static let cache = Mutex<Result<String, any Error>?>(nil)

  static func url() throws -> String {
    try cache.withLock { cached in
      if let cached { return try cached.get() }
      let made = Result { () throws -> String in
        guard let admin = ProcessInfo.processInfo.environment["PIXELPROBE_TEST_DATABASE_URL"] else {
          throw FaultError("PIXELPROBE_TEST_DATABASE_URL is not set: run the tests with ops/test.sh")
        }
        let name = "pixelprobe_games_\(getpid())_\(Int(Date().timeIntervalSince1970))"
        // A database name cannot be a bound parameter; this one is made of digits we chose.
        try PGConnection.connect(url: admin, logger: TestEnvironment.logger).execute(
          "CREATE DATABASE \(name)")
        let url = admin + (admin.contains("?") ? "&" : "?") + "dbname=\(name)"
        try Migrator(
          directory: TestEnvironment.repositoryRoot + "/migrations", logger: TestEnvironment.logger
        )
        .migrate(on: PGConnection.connect(url: url, logger: TestEnvironment.logger))
        return url
      }
      cached = made
      return try made.get()
    }
  }

  static func connect() throws -> PGConnection {
    try PGConnection.connect(url: try url(), logger: TestEnvironment.logger)
  }
}
