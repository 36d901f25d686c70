import Foundation
import Logging
import Queue
import Testing

/// Paths and the database the pipeline tests share: one database per test run, migrated once.
enum TestEnvironment {
  static let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  static var photos: String { repositoryRoot + "/data/photos" }
  static var photos64: String { repositoryRoot + "/data/photos-64" }

  /// Where `swift build` put the executables (next to the test bundle).
  static let binDirectory: String = {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
  }()

  static let logger: Logger = {
    var logger = Logger(label: "pipeline-tests") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    return logger
  }()

  private static let database: Result<String, DatabaseUnavailable> = {
    guard let admin = ProcessInfo.processInfo.environment["PIXELPROBE_TEST_DATABASE_URL"] else {
      return .failure(
        DatabaseUnavailable(
          reason: "PIXELPROBE_TEST_DATABASE_URL is not set: run the tests with ops/test.sh"))
    }
    do {
      let name = "pixelprobe_pipeline_\(getpid())_\(Int(Date().timeIntervalSince1970))"
      let connection = try PGConnection.connect(url: admin, logger: logger)
      // A database name cannot be a bound parameter; this one is made of digits we chose.
      try connection.execute("CREATE DATABASE \(name)")
      let url = admin + (admin.contains("?") ? "&" : "?") + "dbname=\(name)"
      let migrated = try PGConnection.connect(url: url, logger: logger)
      _ = try Migrator(directory: repositoryRoot + "/migrations", logger: logger).migrate(
        on: migrated)
      return .success(url)
    } catch {
      return .failure(DatabaseUnavailable(reason: "cannot prepare the test database: \(error)"))
    }
  }()

  struct DatabaseUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
  }

  /// The URL of the migrated test database (fails the test with a clear reason otherwise).
  static func databaseURL() throws -> String {
    try database.get()
  }

  static func connect() throws -> PGConnection {
    try PGConnection.connect(url: try databaseURL(), logger: logger)
  }
}
