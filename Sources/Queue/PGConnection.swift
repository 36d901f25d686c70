internal import CLibPQ
import Foundation
public import Logging

/// One PostgreSQL connection through libpq. Owns the `PGconn` and closes it in `deinit`.
///
/// libpq forbids two threads on one connection at once: use a connection from one thread at a
/// time (the type is deliberately not `Sendable`; make one per thread).
public final class PGConnection {
  let handle: OpaquePointer
  /// Where this connection goes (host or socket, port, database, user), never the password.
  public let target: String
  let logger: Logger
  /// Statements prepared on this connection (SQL text → name), for `query(..., prepared: true)`.
  var preparedNames: [String: String] = [:]
  /// Nesting depth of `transaction` calls inside a transaction (savepoint names).
  var savepointDepth = 0
  /// Receives the server's notices (libpq would print them on standard error).
  let notices: NoticeSink

  private init(handle: OpaquePointer, target: String, logger: Logger) {
    self.handle = handle
    self.target = target
    self.logger = logger
    self.notices = NoticeSink(logger: logger)
    PQsetNoticeProcessor(
      handle,
      { context, message in
        guard let context, let message else { return }
        Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue().receive(
          String(cString: message))
      }, Unmanaged.passUnretained(notices).toOpaque())
  }

  deinit { PQfinish(handle) }

  /// Connects to `url` (a libpq URI or `key=value` string; empty means the `PG*` environment
  /// variables and `~/.pgpass`). While the server cannot be reached it retries with `retry`'s
  /// backoff, then throws a one-line `PGError` naming the target without the password.
  /// `applicationName` is what `pg_stat_activity` shows unless the URL sets `application_name`.
  public static func connect(
    url: String, logger: Logger, retry: RetryPolicy = .default, applicationName: String? = nil
  ) throws -> PGConnection {
    try validate(url)
    var generator = SystemRandomNumberGenerator()
    var attempt = 0
    while true {
      attempt += 1
      guard let handle = open(url, applicationName: applicationName) else {
        throw PGError(.connect, message: "libpq could not allocate a connection")
      }
      let target = describeTarget(handle)
      if PQstatus(handle) == CONNECTION_OK {
        logger.debug("connected to PostgreSQL", metadata: ["db.target": "\(target)"])
        return PGConnection(handle: handle, target: target, logger: logger)
      }
      let message = redacting(
        PGError.oneLine(String(cString: PQerrorMessage(handle))), secretsOf: url)
      PQfinish(handle)
      guard isRetryable(connectMessage: message), retry.allowsRetry(after: attempt) else {
        throw PGError(
          .connect, message: "cannot connect after \(attempt) attempt(s): \(message)",
          context: target)
      }
      let delay = retry.delay(after: attempt, using: &generator)
      logger.info(
        "cannot connect to PostgreSQL; retrying",
        metadata: [
          "db.target": "\(target)", "retry.attempt": "\(attempt)",
          "retry.delay": "\(String(format: "%.2f", delay))", "error": "\(message)",
        ])
      Thread.sleep(forTimeInterval: delay)
    }
  }

  /// `PQconnectdbParams` with the URL expanded in place of `dbname`, so that every setting of the
  /// URL (sslmode, sslrootcert, target_session_attrs...) reaches libpq as it is, plus a fallback
  /// application name.
  static func open(_ url: String, applicationName: String?) -> OpaquePointer? {
    var keys = ["dbname"]
    var values = [url]
    if let applicationName {
      keys.append("fallback_application_name")
      values.append(applicationName)
    }
    let cKeys = keys.map { strdup($0) }
    let cValues = values.map { strdup($0) }
    defer {
      for pointer in cKeys + cValues { free(pointer) }
    }
    var keyPointers = cKeys.map { UnsafePointer($0) } + [nil]
    var valuePointers = cValues.map { UnsafePointer($0) } + [nil]
    return keyPointers.withUnsafeMutableBufferPointer { keys in
      valuePointers.withUnsafeMutableBufferPointer { values in
        PQconnectdbParams(keys.baseAddress, values.baseAddress, 1)
      }
    }
  }

  /// True once the connection is unusable (the server went away, the backend was terminated):
  /// make a new one.
  public var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

  /// The server process serving this connection (for `pg_terminate_backend` in tests).
  public var serverProcessID: Int32 { PQbackendPID(handle) }

  /// Runs one statement with bound parameters (`$1`, `$2`, ...) and returns its rows. With
  /// `binaryResult`, values come in binary format (fast for `bytea`; see `PGRows`). With
  /// `prepared`, the statement is parsed and planned once per connection and reused (for hot
  /// statements; the server may then settle on a generic plan).
  @discardableResult
  public func query(
    _ sql: String, _ params: [PGValue] = [], binaryResult: Bool = false, prepared: Bool = false
  ) throws -> PGRows {
    let count = params.count
    var values = [UnsafePointer<CChar>?](repeating: nil, count: count)
    var lengths = [Int32](repeating: 0, count: count)
    var formats = [Int32](repeating: 0, count: count)
    var buffers: [UnsafeMutablePointer<CChar>] = []
    buffers.reserveCapacity(count)
    defer { for buffer in buffers { buffer.deallocate() } }
    for (index, param) in params.enumerated() {
      guard let wire = param.wire else { continue }
      let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: wire.bytes.count + 1)
      buffers.append(buffer)
      wire.bytes.withUnsafeBufferPointer { source in
        if let base = source.baseAddress, source.count > 0 {
          UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: source.count)
        }
      }
      buffer[wire.bytes.count] = 0
      values[index] = UnsafePointer(buffer)
      lengths[index] = Int32(wire.bytes.count)
      formats[index] = wire.binary ? 1 : 0
    }
    guard prepared else {
      let result = PQexecParams(
        handle, sql, Int32(count), nil, values, lengths, formats, binaryResult ? 1 : 0)
      return try check(result, context: sql)
    }
    let name = try preparedName(for: sql, parameterCount: count)
    let result = PQexecPrepared(
      handle, name, Int32(count), values, lengths, formats, binaryResult ? 1 : 0)
    return try check(result, context: sql)
  }

  func preparedName(for sql: String, parameterCount: Int) throws -> String {
    if let name = preparedNames[sql] { return name }
    let name = "pp_\(preparedNames.count + 1)"
    _ = try check(PQprepare(handle, name, sql, Int32(parameterCount), nil), context: sql)
    preparedNames[sql] = name
    return name
  }

  /// Runs one statement with bound parameters; returns the number of rows it touched.
  @discardableResult
  public func execute(_ sql: String, _ params: [PGValue] = []) throws -> Int {
    try query(sql, params).rowsAffected
  }

  /// Runs `body` between BEGIN and COMMIT; rolls back when it throws. Inside a transaction
  /// already (e.g. in `writeResults` of a completing transaction) it nests with a savepoint, so
  /// it never commits the outer transaction early.
  @discardableResult
  public func transaction<T>(_ body: (PGConnection) throws -> T) throws -> T {
    guard PQtransactionStatus(handle) == PQTRANS_IDLE else {
      savepointDepth += 1
      defer { savepointDepth -= 1 }
      let name = "pp_nested_\(savepointDepth)"
      try execute("SAVEPOINT " + name)
      do {
        let value = try body(self)
        try execute("RELEASE SAVEPOINT " + name)
        return value
      } catch {
        if !isBroken { _ = try? execute("ROLLBACK TO SAVEPOINT " + name) }
        throw error
      }
    }
    return try transaction(begin: "BEGIN", body)
  }

  /// A transaction opened by `begin`, a parameterless script such as
  /// `BEGIN; SET LOCAL ...` (one round trip).
  func transaction<T>(begin: String, _ body: (PGConnection) throws -> T) throws -> T {
    let value: T
    do {
      try executeScript(begin)
      value = try body(self)
    } catch {
      if !isBroken { _ = try? execute("ROLLBACK") }
      throw error
    }
    // COMMIT of a transaction that hit an error (and was not rolled back) answers ROLLBACK.
    let commit = try query("COMMIT")
    guard commit.commandStatus == "COMMIT" else {
      throw PGError(
        .query, message: "the transaction was rolled back by the server", context: "COMMIT")
    }
    return value
  }

  /// Runs a parameterless SQL script of several statements (simple query protocol): only for
  /// migration files, which have no parameters to bind.
  func executeScript(_ sql: String) throws {
    // PQexec returns the last statement's result; the first error stops the script and is returned.
    _ = try check(PQexec(handle, sql), context: sql)
  }

  /// `COPY table (columns) FROM STDIN` in text format, with each value escaped as COPY requires
  /// (backslash, tab, newline, carriage return; NULL as `\N`; `bytes` as hex `bytea`).
  /// Returns the number of rows copied.
  @discardableResult
  public func copyIn(_ sql: String, rows: some Sequence<[PGValue]>) throws -> Int {
    guard let start = PQexec(handle, sql) else { throw lastError(.copy, context: sql) }
    let status = PQresultStatus(start)
    if status != PGRES_COPY_IN {
      _ = try check(start, context: sql)
      throw PGError(.copy, message: "the statement is not COPY FROM STDIN", context: sql)
    }
    PQclear(start)
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 16)
    var failure: PGError?
    func flush() {
      guard failure == nil, !buffer.isEmpty else { return }
      let sent = buffer.withUnsafeBufferPointer { bytes in
        bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
          PQputCopyData(handle, $0, Int32(bytes.count))
        }
      }
      if sent != 1 { failure = lastError(.copy, context: sql) }
      buffer.removeAll(keepingCapacity: true)
    }
    for row in rows {
      for (index, value) in row.enumerated() {
        if index > 0 { buffer.append(UInt8(ascii: "\t")) }
        Self.appendCopyText(value, to: &buffer)
      }
      buffer.append(UInt8(ascii: "\n"))
      if buffer.count >= 1 << 16 { flush() }
      if failure != nil { break }
    }
    flush()
    if PQputCopyEnd(handle, failure == nil ? nil : "client error") != 1, failure == nil {
      failure = lastError(.copy, context: sql)
    }
    var copied = 0
    while let result = PQgetResult(handle) {
      do {
        copied = try check(result, context: sql, code: .copy).rowsAffected
      } catch let error as PGError {
        if failure == nil { failure = error }
      }
    }
    if let failure { throw failure }
    return copied
  }

  /// `LISTEN channel`: notifications on it then arrive through `waitForNotification`.
  public func listen(_ channel: String) throws {
    try execute("LISTEN " + quoteIdentifier(channel))
  }

  public func unlisten(_ channel: String) throws {
    try execute("UNLISTEN " + quoteIdentifier(channel))
  }

  /// `pg_notify(channel, payload)`; inside a transaction it is delivered at COMMIT.
  public func notify(_ channel: String, payload: String = "") throws {
    try execute("SELECT pg_notify($1, $2)", [.text(channel), .text(payload)])
  }

  /// Waits up to `timeout` seconds for a notification on a channel this connection listens to.
  public func waitForNotification(timeout: Double) throws -> PGNotification? {
    let deadline = Date().addingTimeInterval(max(0, timeout))
    while true {
      let remaining = deadline.timeIntervalSinceNow
      let (notifications, _) = try waitForInput(timeout: max(0, remaining), wakeDescriptor: nil)
      if let first = notifications.first { return first }
      if remaining <= 0 { return nil }
    }
  }

  /// Waits until the server sends something (a notification), `wakeDescriptor` becomes readable,
  /// or `timeout` seconds pass. Returns the notifications received and whether the wake
  /// descriptor fired.
  func waitForInput(timeout: Double, wakeDescriptor: Int32?) throws -> (
    notifications: [PGNotification], woken: Bool
  ) {
    var ready = try drainNotifications()
    if !ready.isEmpty { return (ready, false) }
    let socket = PQsocket(handle)
    guard socket >= 0 else {
      throw PGError(.connectionLost, message: "the connection has no socket", context: target)
    }
    var descriptors = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
    if let wakeDescriptor {
      descriptors.append(pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0))
    }
    let milliseconds = Int32(min(Double(Int32.max), max(0, timeout * 1000)).rounded(.up))
    let outcome = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
    if outcome < 0 && errno != EINTR {
      throw PGError(.notification, message: "poll failed: errno \(errno)", context: target)
    }
    if descriptors[0].revents != 0 { ready = try drainNotifications() }
    let woken = descriptors.count > 1 && descriptors[1].revents != 0
    return (ready, woken)
  }

  func drainNotifications() throws -> [PGNotification] {
    if PQconsumeInput(handle) == 0 { throw lastError(.connectionLost, context: target) }
    var notifications: [PGNotification] = []
    while let notify = PQnotifies(handle) {
      notifications.append(
        PGNotification(
          channel: String(cString: notify.pointee.relname),
          payload: String(cString: notify.pointee.extra),
          serverProcessID: notify.pointee.be_pid))
      PQfreemem(notify)
    }
    return notifications
  }

  func quoteIdentifier(_ name: String) throws -> String {
    guard let quoted = PQescapeIdentifier(handle, name, name.utf8.count) else {
      throw lastError(.query, context: "quote identifier")
    }
    defer { PQfreemem(quoted) }
    return String(cString: quoted)
  }
}

/// Logs the server's notices ("relation ... already exists, skipping") at debug level; libpq
/// holds an unretained pointer to it for as long as the connection lives.
final class NoticeSink: Sendable {
  let logger: Logger
  init(logger: Logger) { self.logger = logger }

  func receive(_ message: String) {
    logger.debug("postgres notice", metadata: ["db.notice": "\(PGError.oneLine(message))"])
  }
}

extension PGConnection {
  /// Turns a libpq result into rows, or into a `PGError` (freeing the result).
  func check(_ result: OpaquePointer?, context: String, code: PGError.Code = .query) throws
    -> PGRows
  {
    guard let result else { throw lastError(code, context: PGError.statementContext(context)) }
    switch PQresultStatus(result) {
    case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_OUT:
      return PGRows(result)
    default:
      let sqlstate = pp_result_sqlstate(result).map { String(cString: $0) }
      var message =
        pp_result_primary_message(result).map { String(cString: $0) }
        ?? String(cString: PQresultErrorMessage(result))
      if let detail = pp_result_detail(result).map({ String(cString: $0) }) {
        message += " (" + detail + ")"
      }
      PQclear(result)
      throw PGError(
        isBroken ? .connectionLost : code, message: PGError.oneLine(message),
        sqlstate: sqlstate, context: PGError.statementContext(context))
    }
  }

  func lastError(_ code: PGError.Code, context: String) -> PGError {
    PGError(
      isBroken ? .connectionLost : code,
      message: PGError.oneLine(String(cString: PQerrorMessage(handle))), context: context)
  }

  static func validate(_ url: String) throws {
    var error: UnsafeMutablePointer<CChar>?
    guard let options = PQconninfoParse(url, &error) else {
      let message = error.map { String(cString: $0) } ?? "cannot parse"
      if let error { PQfreemem(error) }
      // libpq quotes the offending part, which may be the password: never pass it on.
      throw PGError(
        .connect,
        message: "invalid connection string: "
          + redacting(PGError.oneLine(message), secretsOf: url))
    }
    PQconninfoFree(options)
  }

  /// `host=... port=... dbname=... user=...` as libpq resolved them (URL, PG* variables,
  /// defaults) — the password is never part of it.
  static func describeTarget(_ handle: OpaquePointer) -> String {
    func field(_ value: UnsafeMutablePointer<CChar>?) -> String {
      value.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "?"
    }
    return
      "host=\(field(PQhost(handle))) port=\(field(PQport(handle))) dbname=\(field(PQdb(handle))) user=\(field(PQuser(handle)))"
  }

  /// The server said no (a bad database, user or password), or the settings are wrong (an
  /// invalid option value, a TLS requirement or certificate that does not hold): waiting will not
  /// change that. Everything else (no server yet, starting up, too many clients) may pass.
  static func isRetryable(connectMessage message: String) -> Bool {
    let permanent = [
      "invalid ", "no password supplied", "password authentication failed",
      "does not support SSL", "certificate", "SSL error", "sslmode value",
    ]
    if permanent.contains(where: { message.contains($0) }) { return false }
    guard message.contains("FATAL") else { return true }
    let transient = [
      "starting up", "shutting down", "recovery mode", "too many clients", "terminating",
      "not yet accepting",
    ]
    return transient.contains { message.contains($0) }
  }
}
