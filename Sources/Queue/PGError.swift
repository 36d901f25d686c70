import Foundation

/// An error from PostgreSQL or libpq: a stable `code`, the server's SQLSTATE when there is one, the
/// message, and what was being done (a statement's first line, a connection target).
public struct PGError: Error, CustomStringConvertible, Sendable {
  /// What failed, stable across releases; compare with the static members.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }

    /// Connecting (after retries) failed.
    public static let connect = Code("connect")
    /// The connection broke while in use; reconnect.
    public static let connectionLost = Code("connection-lost")
    /// The server rejected a statement.
    public static let query = Code("query")
    /// A `COPY ... FROM STDIN` failed.
    public static let copy = Code("copy")
    /// The server answered with something this code did not expect (a result shape, a value).
    public static let `protocol` = Code("protocol")
    /// Waiting for a notification failed.
    public static let notification = Code("notification")
  }

  public var code: Code
  /// The five-character SQLSTATE the server sent, when it sent one.
  public var sqlstate: String?
  public var message: String
  /// What was being done: the statement's first line, or the connection target.
  public var context: String?

  public init(_ code: Code, message: String, sqlstate: String? = nil, context: String? = nil) {
    self.code = code
    self.message = message
    self.sqlstate = sqlstate
    self.context = context
  }

  /// True for errors that another connection or a later try may not hit: a broken connection, a
  /// serialization failure, a deadlock, the server shutting down or starting up.
  public var isTransient: Bool {
    if code == .connectionLost || code == .connect { return true }
    guard let sqlstate else { return false }
    return sqlstate.hasPrefix("08") || sqlstate == "40001" || sqlstate == "40P01"
      || sqlstate.hasPrefix("57P")
  }

  public var description: String {
    var text = "postgres \(code)"
    if let sqlstate { text += " [\(sqlstate)]" }
    if let context { text += " (\(context))" }
    return text + ": " + message
  }
}

extension PGError {
  /// libpq messages span lines ("\n\tIs the server running..."): errors stay one line.
  static func oneLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline)
      .map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
      .joined(separator: " ")
  }

  /// The first line of a statement, shortened: enough to tell which statement failed.
  static func statementContext(_ sql: String) -> String {
    let line =
      sql.split(whereSeparator: \.isNewline)
      .map { $0.trimmingCharacters(in: .whitespaces) }
      .first { !$0.isEmpty } ?? ""
    return line.count > 80 ? String(line.prefix(77)) + "..." : line
  }
}
