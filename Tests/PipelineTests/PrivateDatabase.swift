import Foundation
import Queue
import Synchronization

/// A database of the test cluster for one suite alone, made and migrated on first use: workers
/// drain every job they can see, so a suite whose workers take every kind (or whose jobs must
/// not be taken by other suites' workers) runs on its own database.
final class PrivateDatabase: Sendable {
  /// The hostile-input suite: its workers must not take other suites' jobs.
  static let hostile = PrivateDatabase(label: "hostile")
  /// The game suite: other suites' workers must neither play its episodes nor be slowed by them.
  static let games = PrivateDatabase(label: "games")
  /// The gen-pvp export suite: its jobs are run by its own one or two workers alone.
  static let export = PrivateDatabase(label: "export")

  let label: String
  private let cache = Mutex<Result<String, any Error>?>(nil)

  init(label: String) { self.label = label }

  func url() throws -> String {
    try cache.withLock { cached in
      if let cached { return try cached.get() }
      let made = Result { () throws -> String in
        guard let admin = ProcessInfo.processInfo.environment["PIXELPROBE_TEST_DATABASE_URL"] else {
          throw FaultError("PIXELPROBE_TEST_DATABASE_URL is not set: run the tests with ops/test.sh")
        }
        let name = "pixelprobe_\(label)_\(getpid())_\(Int(Date().timeIntervalSince1970))"
        // A database name cannot be a bound parameter; this one is made of letters and digits we chose.
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

  func connect() throws -> PGConnection {
    try PGConnection.connect(url: try url(), logger: TestEnvironment.logger)
  }
}
