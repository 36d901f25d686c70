import Foundation
import Logging
import Queue
import Synchronization
import Testing

/// The test run's database: one schema, migrated once, shared by every DB suite (each test works
/// on jobs of its own kind). Tests FAIL with a clear message when no database is configured,
/// unless PIXELPROBE_SKIP_DB_TESTS=1 skips them on purpose.
enum TestDatabase {
  static let environment = ProcessInfo.processInfo.environment

  /// True when the database tests are to be skipped explicitly.
  static let skipped = environment["PIXELPROBE_SKIP_DB_TESTS"] == "1"

  static let logger: Logger = {
    var logger = Logger(label: "queue-tests")
    logger.logLevel = .error
    return logger
  }()

  static let migrationsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("migrations").path

  struct SetupError: Error, CustomStringConvertible {
    var description: String
  }

  static func baseURL() throws -> String {
    guard let url = environment["PIXELPROBE_TEST_DATABASE_URL"], !url.isEmpty else {
      throw SetupError(
        description:
          "PIXELPROBE_TEST_DATABASE_URL is not set: run ops/test.sh (it starts a private PostgreSQL), or set it to a libpq URL (e.g. $(ops/pg.sh start)), or set PIXELPROBE_SKIP_DB_TESTS=1 to skip the database tests"
      )
    }
    return url
  }

  /// The shared, migrated schema's URL (created on first use, behind the global's lazy lock).
  static let shared: Result<String, any Error> = Result {
    let url = try freshSchema(prefix: "pptest")
    try Migrator(directory: migrationsDirectory, logger: logger).migrate(on: connect(url))
    return url
  }

  static func url() throws -> String { try shared.get() }

  static func connect(_ url: String? = nil) throws -> PGConnection {
    try PGConnection.connect(url: url ?? self.url(), logger: logger)
  }

  static let counter = Atomic<Int>(0)

  /// Creates an empty schema and returns a URL whose connections use it (search_path). Schemas
  /// of earlier runs older than an hour are dropped on the way.
  static func freshSchema(prefix: String) throws -> String {
    let base = try baseURL()
    let connection = try PGConnection.connect(url: base, logger: logger)
    let epoch = Int(Date().timeIntervalSince1970)
    let stale = try connection.query(
      "SELECT nspname FROM pg_namespace WHERE nspname ~ '^pp(test|mig)_[0-9]+_'")
    for row in 0..<stale.count {
      guard let name = stale.string(row, 0),
        let created = Int(name.split(separator: "_")[1]), epoch - created > 3600
      else { continue }
      try connection.execute("DROP SCHEMA IF EXISTS \"\(name)\" CASCADE")
    }
    let number = counter.add(1, ordering: .relaxed).newValue
    let schema = "\(prefix)_\(epoch)_\(getpid())_\(number)"
    try connection.execute("CREATE SCHEMA \"\(schema)\"")
    return withOption(base, "options", "-csearch_path=\(schema)")
  }

  /// Adds a libpq connection option to a URI or key=value connection string.
  static func withOption(_ url: String, _ key: String, _ value: String) -> String {
    if url.contains("://") {
      let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
      return url + (url.contains("?") ? "&" : "?") + "\(key)=\(encoded)"
    }
    return url + " \(key)='\(value)'"
  }

  /// A job kind no other test uses: tests isolate themselves by claiming only their kinds.
  static func uniqueKind(_ label: String) -> String {
    "\(label)-\(UUID().uuidString.prefix(8).lowercased())"
  }
}

/// Runs `body(i)` on `count` threads of their own and waits; rethrows the first error.
func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
  let errors = Mutex<[any Error]>([])
  let group = DispatchGroup()
  for index in 0..<count {
    group.enter()
    let thread = Thread {
      defer { group.leave() }
      do { try body(index) } catch { errors.withLock { $0.append(error) } }
    }
    thread.start()
  }
  group.wait()
  if let first = errors.withLock({ $0.first }) { throw first }
}
