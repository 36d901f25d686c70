import Foundation
import Queue
import Synchronization
import Testing

/// A PostgreSQL cluster that belongs to the fault-injection tests alone (started with ops/pg.sh
/// in a directory of its own), so they can crash it, terminate its backends and change its
/// authentication without disturbing the suites that share the test run's database. It also
/// listens on 127.0.0.1 with TLS (a CA and server certificate made with openssl) and asks one
/// role for a password (scram-sha-256), for the secrets and TLS tests.
///
/// ops/test.sh passes PIXELPROBE_FAULT_PG_DIR (and removes the cluster when the run ends);
/// otherwise the cluster goes in a temporary directory removed when the test process exits.
final class FaultCluster: Sendable {
  let directory: String
  let port: Int
  /// Superuser over the Unix socket (trust), on the migrated database.
  let url: String
  /// The same database over TCP, for TLS tests (no sslmode: the caller adds it).
  let tcpURL: String
  /// The CA certificate that signed the server's.
  let caFile: String
  /// A login that must give its password (scram-sha-256), and the password.
  let passwordRole = "pp_secret_login"
  let password = "Pp-s3cret-\(UUID().uuidString.prefix(8))"

  /// Made on first use, under a lock rather than in a `static let`: a global initializer that
  /// spawns processes can deadlock with Foundation's own lazy globals on the reaping thread.
  static let shared = Mutex<Result<FaultCluster, any Error>?>(nil)

  static func get() throws -> FaultCluster {
    try shared.withLock { cached in
      if let cached { return try cached.get() }
      let made = Result { try FaultCluster() }
      cached = made
      return try made.get()
    }
  }

  private init() throws {
    let environment = ProcessInfo.processInfo.environment
    if let given = environment["PIXELPROBE_FAULT_PG_DIR"], !given.isEmpty {
      directory = given
    } else {
      directory = "/tmp/pixelprobe-faults-\(getpid())"
      FaultClusterCleanup.register(directory)
    }
    port = Self.freePort()
    // The directory belongs to this run: whatever an earlier run left there goes.
    try Self.pg(["destroy", directory], port: port)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    // Others must reach the folder: as root, the server runs as the postgres user.
    chmod(directory, 0o755)
    let started = try Self.pg(["start", directory], port: port)
    url = started.trimmingCharacters(in: .whitespacesAndNewlines)
    caFile = directory + "/tls/ca.crt"
    tcpURL = "postgresql://postgres@127.0.0.1:\(port)/pixelprobe"
    try Self.makeCertificates(in: directory + "/tls")
    let admin = try PGConnection.connect(url: url, logger: TestEnvironment.logger)
    guard let data = try admin.query("SHOW data_directory").string(0, 0) else {
      throw FaultError("SHOW data_directory returned nothing")
    }
    try admin.execute("ALTER SYSTEM SET listen_addresses = '127.0.0.1'")
    try admin.execute("ALTER SYSTEM SET ssl = on")
    try admin.execute("ALTER SYSTEM SET ssl_cert_file = '\(directory)/tls/server.crt'")
    try admin.execute("ALTER SYSTEM SET ssl_key_file = '\(directory)/tls/server.key'")
    // A role name and password cannot be bound parameters; both are made of characters we chose.
    try admin.execute("DROP ROLE IF EXISTS \(passwordRole)")
    try admin.execute("CREATE ROLE \(passwordRole) LOGIN PASSWORD '\(password)'")
    let hba = data + "/pg_hba.conf"
    let rules = try String(contentsOfFile: hba, encoding: .utf8)
    if !rules.contains(passwordRole) {
      try
        ("local all \(passwordRole) scram-sha-256\nhost all \(passwordRole) 127.0.0.1/32 scram-sha-256\n"
        + rules).write(toFile: hba, atomically: false, encoding: .utf8)
    }
    _ = try Self.pg(["stop", directory], port: port)
    _ = try Self.pg(["start", directory], port: port)
    let migrated = try PGConnection.connect(url: url, logger: TestEnvironment.logger)
    _ = try Migrator(
      directory: TestEnvironment.repositoryRoot + "/migrations", logger: TestEnvironment.logger
    )
    .migrate(on: migrated)
  }

  /// A URL for `role` on the Unix socket.
  func url(user role: String, password: String? = nil) -> String {
    var text = url.replacingOccurrences(of: "user=postgres", with: "user=\(role)")
    if let password { text += "&password=\(password)" }
    return text
  }

  /// Stops the server without a checkpoint, as a power cut would.
  func crash() throws { _ = try Self.pg(["crash", directory], port: port) }

  func start() throws { _ = try Self.pg(["start", directory], port: port) }

  func connect() throws -> PGConnection {
    try PGConnection.connect(url: url, logger: TestEnvironment.logger)
  }

  /// Runs ops/pg.sh; returns its standard output.
  @discardableResult
  static func pg(_ arguments: [String], port: Int) throws -> String {
    var environment = ProcessInfo.processInfo.environment
    environment["PIXELPROBE_PG_PORT"] = String(port)
    environment["PIXELPROBE_PG_DIR"] = nil
    let finished = try Spawn.run(
      TestEnvironment.repositoryRoot + "/ops/pg.sh", arguments, environment: environment)
    guard finished.status == 0 else {
      throw FaultError("ops/pg.sh \(arguments.joined(separator: " ")) failed: \(finished.stderr)")
    }
    return finished.stdout
  }

  /// A TCP port nobody listens on now.
  static func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, length) == 0 ? getsockname(fd, $0, &length) : -1
      }
    }
    let port = Int(UInt16(bigEndian: address.sin_port))
    return port > 0 ? port : 20_000 + Int(getpid() % 10_000)
  }

  /// A CA and a server certificate for 127.0.0.1 it signed, readable by the server.
  static func makeCertificates(in tls: String) throws {
    if FileManager.default.fileExists(atPath: tls + "/server.crt") { return }
    try FileManager.default.createDirectory(atPath: tls, withIntermediateDirectories: true)
    chmod(tls, 0o755)
    let steps: [[String]] = [
      [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=pixelprobe-test-ca",
        "-keyout", "\(tls)/ca.key", "-out", "\(tls)/ca.crt",
      ],
      [
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout",
        "\(tls)/server.key", "-out", "\(tls)/server.csr",
      ],
      [
        "x509", "-req", "-in", "\(tls)/server.csr", "-CA", "\(tls)/ca.crt", "-CAkey", "\(tls)/ca.key",
        "-CAcreateserial", "-days", "2", "-out", "\(tls)/server.crt", "-extfile", "\(tls)/san.cnf",
      ],
    ]
    try "subjectAltName = IP:127.0.0.1\n".write(toFile: tls + "/san.cnf", atomically: true, encoding: .utf8)
    for arguments in steps {
      let finished = try Spawn.run(
        "/usr/bin/openssl", arguments, environment: ProcessInfo.processInfo.environment)
      guard finished.status == 0 else { throw FaultError("openssl failed: \(finished.stderr)") }
    }
    // The server refuses a key that others can read; as root it runs as postgres.
    if getuid() == 0, let owner = getpwnam("postgres") {
      chown(tls + "/server.key", owner.pointee.pw_uid, owner.pointee.pw_gid)
    }
    chmod(tls + "/server.key", 0o600)
  }
}

struct FaultError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Removes the private cluster when the test process exits (unless ops/test.sh owns it).
enum FaultClusterCleanup {
  nonisolated(unsafe) static var directory: String?
  /// Scratch directories (image copies) to remove at exit.
  static let scratch = Mutex<[String]>([])
  static let installed = Mutex(false)

  static func register(_ path: String) {
    directory = path
    installAtExit()
  }

  static func removeAtExit(_ path: String) {
    scratch.withLock { $0.append(path) }
    installAtExit()
  }

  static func installAtExit() {
    let first = installed.withLock { done in
      defer { done = true }
      return !done
    }
    guard first else { return }
    atexit {
      for path in FaultClusterCleanup.scratch.withLock({ $0 }) {
        try? FileManager.default.removeItem(atPath: path)
      }
      guard let path = FaultClusterCleanup.directory else { return }
      _ = try? Spawn.run(
        TestEnvironment.repositoryRoot + "/ops/pg.sh", ["destroy", path],
        environment: ProcessInfo.processInfo.environment)
    }
  }
}
