/// A failure of the game layer: a stable code plus what it concerns (an option, the server).
public struct GameError: Error, CustomStringConvertible, Sendable {
  public enum Code: String, Sendable {
    /// A bad option value (`--game`, `--discretisation`).
    case badOption
    /// The environment server's Python or its packages are not installed.
    case notInstalled
    /// The server could not be started.
    case spawn
    /// The server broke the protocol, or answered `ok: false`.
    case protocolError
    /// The server exited or closed its output.
    case serverDied
    /// No answer within the timeout.
    case timeout
  }

  public var code: Code
  public var subject: String
  public var detail: String

  public init(_ code: Code, _ subject: String, _ detail: String) {
    self.code = code
    self.subject = subject
    self.detail = detail
  }

  public var description: String { "\(subject): \(detail)" }
}
