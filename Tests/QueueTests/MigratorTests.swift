import Foundation
import Queue
import Testing

@Suite(.enabled(if: !TestDatabase.skipped, "PIXELPROBE_SKIP_DB_TESTS=1"))
struct MigratorTests {
  /// A copy of the migrations directory that a test may edit.
  func copyOfMigrations() throws -> String {
    let copy = NSTemporaryDirectory() + "pp-migrations-\(UUID().uuidString)"
    try FileManager.default.copyItem(atPath: TestDatabase.migrationsDirectory, toPath: copy)
    return copy
  }

  func md5sum(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/md5sum")
    process.arguments = [path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    process.waitUntilExit()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return String(output.prefix(32))
  }

  @Test func freshSchemaThenRerunIsANoOp() throws {
    let url = try TestDatabase.freshSchema(prefix: "ppmig")
    let connection = try TestDatabase.connect(url)
    let migrator = Migrator(directory: TestDatabase.migrationsDirectory, logger: TestDatabase.logger)
    let files = try migrator.migrations().map(\.name)
    #expect(files.first == "0001_queue.sql")
    #expect(try migrator.status(on: connection).allSatisfy { $0.state == .pending })
    #expect(try migrator.migrate(on: connection) == files)
    #expect(try migrator.migrate(on: connection) == [])
    #expect(try migrator.status(on: connection).allSatisfy { $0.state == .applied })
    // The recorded checksum is the file's MD5 as md5sum prints it.
    let recorded = try connection.query(
      "SELECT checksum FROM schema_migrations WHERE name = '0001_queue.sql'")
    #expect(
      recorded.string(0, 0)
        == (try md5sum(TestDatabase.migrationsDirectory + "/0001_queue.sql")))
    for table in ["jobs", "shards", "shard_attempts", "blobs"] {
      #expect(try connection.query("SELECT to_regclass($1) IS NOT NULL", [.text(table)]).bool(0, 0) == true)
    }
  }

  @Test func anEditedAppliedFileIsRefusedNamingBothChecksums() throws {
    let directory = try copyOfMigrations()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let connection = try TestDatabase.connect(try TestDatabase.freshSchema(prefix: "ppmig"))
    let migrator = Migrator(directory: directory, logger: TestDatabase.logger)
    try migrator.migrate(on: connection)
    let file = directory + "/0001_queue.sql"
    let before = try md5sum(file)
    let handle = try #require(FileHandle(forWritingAtPath: file))
    handle.seekToEndOfFile()
    handle.write(Data("-- edited\n".utf8))
    handle.closeFile()
    let after = try md5sum(file)
    let error = try #require(throws: MigrationError.self) { try migrator.migrate(on: connection) }
    #expect(error.code == .modified)
    #expect(error.subject == "0001_queue.sql")
    #expect(error.description.contains(before) && error.description.contains(after))
    #expect(
      try migrator.status(on: connection).first?.state == .modified(recorded: before, current: after))
  }

  @Test func aRecordedMigrationMissingFromTheDirectoryIsRefused() throws {
    let directory = try copyOfMigrations()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let connection = try TestDatabase.connect(try TestDatabase.freshSchema(prefix: "ppmig"))
    let migrator = Migrator(directory: directory, logger: TestDatabase.logger)
    try migrator.migrate(on: connection)
    try connection.execute(
      "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, '0999_future.sql', 'x')")
    let error = try #require(throws: MigrationError.self) { try migrator.migrate(on: connection) }
    #expect(error.code == .missingFile && error.subject == "0999_future.sql")
    #expect(try migrator.status(on: connection).last?.state == .missing)
  }

  @Test func aFailingFileLeavesNothingApplied() throws {
    let directory = try copyOfMigrations()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let count = try Migrator(directory: directory, logger: TestDatabase.logger).migrations().count
    let bad = directory + String(format: "/%04d_broken.sql", count + 1)
    try "CREATE TABLE fine (n int);\nSELECT no_such_function();\n".write(
      toFile: bad, atomically: true, encoding: .utf8)
    let connection = try TestDatabase.connect(try TestDatabase.freshSchema(prefix: "ppmig"))
    let error = try #require(throws: MigrationError.self) {
      try Migrator(directory: directory, logger: TestDatabase.logger).migrate(on: connection)
    }
    #expect(error.code == .failed && error.subject.hasSuffix("_broken.sql"))
    #expect(try connection.query("SELECT to_regclass('jobs') IS NULL").bool(0, 0) == true)
    #expect(try connection.query("SELECT to_regclass('schema_migrations') IS NULL").bool(0, 0) == true)
  }

  @Test(arguments: [
    (["0001_a.sql", "0003_c.sql"], MigrationError.Code.gap, "0003_c.sql"),
    (["0001_a.sql", "0001_b.sql"], .duplicateVersion, "0001_b.sql"),
    (["0002_a.sql"], .gap, "0002_a.sql"),
    (["0001_a.sql", "init.sql"], .badName, "init.sql"),
  ])
  func badDirectoryLayoutsAreClearErrors(names: [String], code: MigrationError.Code, subject: String)
    throws
  {
    let directory = NSTemporaryDirectory() + "pp-layout-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    for name in names {
      try "SELECT 1;\n".write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }
    let error = try #require(throws: MigrationError.self) {
      try Migrator(directory: directory, logger: TestDatabase.logger).migrations()
    }
    #expect(error.code == code)
    #expect(error.subject == subject)
  }

  @Test func aMissingDirectoryIsAClearError() throws {
    let error = try #require(throws: MigrationError.self) {
      try Migrator(directory: "/nonexistent/migrations", logger: TestDatabase.logger).migrations()
    }
    #expect(error.code == .missingDirectory)
    #expect(error.description.contains("/nonexistent/migrations"))
  }

  @Test func locateDirectoryPrefersTheExplicitPath() {
    #expect(Migrator.locateDirectory(explicit: "/some/where") == "/some/where")
    let found = Migrator.locateDirectory(explicit: nil)
    #expect(found.map { FileManager.default.fileExists(atPath: $0 + "/0001_queue.sql") } == true)
  }

  @Test func jobsEnqueuedBeforeKeyDigestsAreFoundAfterTheMigration() throws {
    // The migrations up to 0007 only: keys stored as text, as before digests.
    let directory = try copyOfMigrations()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let later = try FileManager.default.contentsOfDirectory(atPath: directory).filter {
      (Int($0.prefix(4)) ?? 0) >= 8
    }
    for name in later {
      try FileManager.default.moveItem(
        atPath: directory + "/" + name, toPath: directory + "/" + name + ".later")
    }
    let connection = try TestDatabase.connect(try TestDatabase.freshSchema(prefix: "ppmig"))
    try Migrator(directory: directory, logger: TestDatabase.logger).migrate(on: connection)
    let oldKey = #"eval-re:{"images":["a.png"]}"#
    let old = try connection.query(
      "INSERT INTO jobs (kind, spec, idempotency_key) VALUES ('eval-re', '{}', $1) RETURNING id",
      [.text(oldKey)]
    ).int64(0, 0)
    try connection.execute("INSERT INTO jobs (kind, spec) VALUES ('eval-re', '{}')")
    for name in later {
      try FileManager.default.moveItem(
        atPath: directory + "/" + name + ".later", toPath: directory + "/" + name)
    }
    #expect(
      try Migrator(directory: directory, logger: TestDatabase.logger).migrate(on: connection)
        == later.sorted())
    #expect(
      try connection.query("SELECT idempotency_key FROM jobs WHERE id = $1", [.int(try #require(old))])
        .string(0, 0)
        == (try sha256Hex(oldKey)))
    #expect(
      try connection.query("SELECT count(*) FROM jobs WHERE idempotency_key IS NULL").string(0, 0) == "1")
    // Enqueueing the same key again finds the old job and builds nothing.
    let again = try WorkQueue(connection: connection).enqueue(
      NewJob(kind: "eval-re", spec: "{}", idempotencyKey: oldKey), store: PostgresBlobStore()
    ) { _ in Issue.record("the migrated key must find the old job") }
    #expect(again.jobID == old && !again.created)
  }

  @Test func theHotQueueTablesHaveTheirAutovacuumSettings() throws {
    let connection = try TestDatabase.connect()
    let rows = try connection.query(
      """
      SELECT relname, array_to_string(reloptions, ',') FROM pg_class
      WHERE oid IN ('shards'::regclass, 'jobs'::regclass, 'shard_attempts'::regclass)
      ORDER BY relname
      """)
    let options = Dictionary(
      uniqueKeysWithValues: (0..<rows.count).map { (rows.string($0, 0) ?? "", rows.string($0, 1) ?? "") })
    #expect(options["shards"]?.contains("autovacuum_vacuum_scale_factor=0.02") == true)
    #expect(options["jobs"]?.contains("fillfactor=50") == true)
    #expect(options["shard_attempts"]?.contains("autovacuum_vacuum_insert_scale_factor=0.05") == true)
  }
}
