import Foundation
public import Logging

/// Applies the numbered SQL files of a directory (`0001_queue.sql`, `0002_x.sql`, ...) in order.
///
/// All pending files go in ONE transaction under a transaction-level advisory lock, so two
/// coordinators never migrate at once and a failing file leaves nothing behind. Each applied
/// file's name and MD5 (of its bytes, as `md5sum` prints it) is kept in `schema_migrations`; an
/// applied file that was edited since is refused, naming the file and both checksums.
public struct Migrator: Sendable {
  public let directory: String
  public let logger: Logger

  /// Any constant shared by every migrator: the advisory lock's key.
  static let lockKey: Int64 = 0x7069_7870_726f_6265  // "pixprobe"

  public init(directory: String, logger: Logger) {
    self.directory = directory
    self.logger = logger
  }

  /// One migration file.
  public struct Migration: Sendable, Hashable {
    public var version: Int
    /// The file name, e.g. `0001_queue.sql`.
    public var name: String
    public var path: String
  }

  /// A migration and whether it has been applied.
  public struct Status: Sendable, Hashable {
    public enum State: Sendable, Hashable {
      case applied
      case pending
      /// Applied, but the file changed since (checksum recorded vs now).
      case modified(recorded: String, current: String)
      /// Recorded as applied, but no longer in the directory.
      case missing
    }
    public var version: Int
    public var name: String
    public var state: State
  }

  /// The migration files in version order. Throws if the directory is missing, a `.sql` file is
  /// not named `NNNN_name.sql`, or versions repeat or leave a gap (they must run 1, 2, 3, ...).
  public func migrations() throws -> [Migration] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw MigrationError(.missingDirectory, directory, "no such directory")
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
    var found: [Migration] = []
    for name in names.sorted() where name.hasSuffix(".sql") {
      guard let version = Self.version(of: name) else {
        throw MigrationError(.badName, name, "migration files are named NNNN_name.sql")
      }
      found.append(
        Migration(version: version, name: name, path: directory + "/" + name))
    }
    found.sort { ($0.version, $0.name) < ($1.version, $1.name) }
    for (position, migration) in found.enumerated() {
      if position > 0, found[position - 1].version == migration.version {
        throw MigrationError(
          .duplicateVersion, migration.name,
          "has the same number as \(found[position - 1].name)")
      }
      if migration.version != position + 1 {
        throw MigrationError(
          .gap, migration.name,
          "expected number \(position + 1) here: migrations are numbered 1, 2, 3, ... without gaps")
      }
    }
    return found
  }

  /// Applies the pending migrations; returns the names of those applied (empty when up to date).
  @discardableResult
  public func migrate(on connection: PGConnection) throws -> [String] {
    let files = try migrations()
    let contents = try files.map { migration -> [UInt8] in
      guard let data = FileManager.default.contents(atPath: migration.path) else {
        throw MigrationError(.unreadable, migration.path, "cannot read the file")
      }
      return [UInt8](data)
    }
    return try connection.transaction { connection in
      try connection.execute("SELECT pg_advisory_xact_lock($1)", [.int(Self.lockKey)])
      try connection.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version    integer     PRIMARY KEY,
          name       text        NOT NULL,
          checksum   text        NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )
        """)
      let recorded = try appliedChecksums(on: connection)
      let current = try checksums(of: contents, on: connection)
      try verify(files: files, current: current, recorded: recorded)
      var applied: [String] = []
      for (index, migration) in files.enumerated() where recorded[migration.version] == nil {
        logger.info(
          "applying migration",
          metadata: ["migration.name": "\(migration.name)", "migration.version": "\(migration.version)"])
        do {
          try connection.executeScript(String(decoding: contents[index], as: UTF8.self))
        } catch let error as PGError {
          throw MigrationError(.failed, migration.name, "\(error)")
        }
        try connection.execute(
          "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
          [.int(Int64(migration.version)), .text(migration.name), .text(current[index])])
        applied.append(migration.name)
      }
      return applied
    }
  }

  /// Every migration known to the directory or the database, applied or not.
  public func status(on connection: PGConnection) throws -> [Status] {
    let files = try migrations()
    let contents = try files.map { migration -> [UInt8] in
      guard let data = FileManager.default.contents(atPath: migration.path) else {
        throw MigrationError(.unreadable, migration.path, "cannot read the file")
      }
      return [UInt8](data)
    }
    let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
    let recorded = exists.bool(0, 0) == true ? try appliedChecksums(on: connection) : [:]
    let current = try checksums(of: contents, on: connection)
    var result: [Status] = files.enumerated().map { index, migration in
      let state: Status.State
      if let applied = recorded[migration.version] {
        state =
          applied.checksum == current[index]
          ? .applied : .modified(recorded: applied.checksum, current: current[index])
      } else {
        state = .pending
      }
      return Status(version: migration.version, name: migration.name, state: state)
    }
    let known = Set(files.map(\.version))
    for (version, applied) in recorded.sorted(by: { $0.key < $1.key })
    where !known.contains(version) {
      result.append(Status(version: version, name: applied.name, state: .missing))
    }
    return result.sorted { $0.version < $1.version }
  }

  func verify(files: [Migration], current: [String], recorded: [Int: (name: String, checksum: String)])
    throws
  {
    for (index, migration) in files.enumerated() {
      guard let applied = recorded[migration.version] else { continue }
      guard applied.checksum == current[index] else {
        throw MigrationError(
          .modified, migration.name,
          "was edited after it was applied (recorded checksum \(applied.checksum), file now \(current[index])); add a new migration instead"
        )
      }
    }
    let known = Set(files.map(\.version))
    if let (version, applied) = recorded.first(where: { !known.contains($0.key) }) {
      throw MigrationError(
        .missingFile, applied.name,
        "migration \(version) is applied but not in \(directory): is this build older than the database?"
      )
    }
  }

  func appliedChecksums(on connection: PGConnection) throws -> [Int: (name: String, checksum: String)] {
    let rows = try connection.query("SELECT version, name, checksum FROM schema_migrations")
    var recorded: [Int: (name: String, checksum: String)] = [:]
    for row in 0..<rows.count {
      guard let version = rows.int(row, 0), let name = rows.string(row, 1),
        let checksum = rows.string(row, 2)
      else { continue }
      recorded[version] = (name, checksum)
    }
    return recorded
  }

  /// MD5 of each file's bytes, computed by the server (no hashing code of our own to trust).
  func checksums(of contents: [[UInt8]], on connection: PGConnection) throws -> [String] {
    try contents.map { bytes in
      let rows = try connection.query("SELECT md5($1::bytea)", [.bytes(bytes)])
      guard let checksum = rows.string(0, 0) else {
        throw PGError(.protocol, message: "md5() returned no value", context: "migration checksum")
      }
      return checksum
    }
  }

  /// `0012_add_x.sql` → 12.
  static func version(of name: String) -> Int? {
    guard name.hasSuffix(".sql") else { return nil }
    let stem = name.dropLast(4)
    guard let underscore = stem.firstIndex(of: "_") else { return nil }
    let digits = stem[..<underscore]
    let rest = stem[stem.index(after: underscore)...]
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), !rest.isEmpty
    else { return nil }
    return Int(digits)
  }

  /// Where the migrations are: `explicit` if given, else `$PIXELPROBE_MIGRATIONS`, `./migrations`,
  /// or the project folder of the running binary (binaries live in `.build/<config>/` or
  /// `.build/<triple>/<config>/`). Returns nil when none exists.
  public static func locateDirectory(explicit: String?) -> String? {
    if let explicit, !explicit.isEmpty { return explicit }
    var candidates: [String] = []
    if let fromEnvironment = ProcessInfo.processInfo.environment["PIXELPROBE_MIGRATIONS"],
      !fromEnvironment.isEmpty
    {
      candidates.append(fromEnvironment)
    }
    candidates.append(FileManager.default.currentDirectoryPath + "/migrations")
    if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
      let binaries = executable.deletingLastPathComponent()
      candidates.append(binaries.appendingPathComponent("../../migrations").standardized.path)
      candidates.append(binaries.appendingPathComponent("../../../migrations").standardized.path)
    }
    return candidates.first { path in
      var isDirectory: ObjCBool = false
      return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        && isDirectory.boolValue
    }
  }
}
