public import ArgumentParser
import Foundation
public import Logging
public import Queue

/// `--database-url` and `--connect-attempts`, shared by every command that talks to PostgreSQL.
public struct DatabaseOptions: ParsableArguments {
  @Option(
    name: .customLong("database-url"),
    help: ArgumentHelp(
      "libpq connection URI or key=value string (default: $DATABASE_URL; empty uses the PG* variables and ~/.pgpass).",
      valueName: "url"))
  public var url: String?

  @Option(
    help: ArgumentHelp(
      "Connection attempts, with capped exponential backoff, before giving up (default: $PIXELPROBE_CONNECT_ATTEMPTS or 8).",
      valueName: "n"))
  public var connectAttempts: Int?

  public init() {}

  /// The connection string to hand to libpq.
  public var resolved: String {
    url ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
  }

  public var retryPolicy: RetryPolicy {
    var policy = RetryPolicy.default
    let attempts =
      connectAttempts
      ?? ProcessInfo.processInfo.environment["PIXELPROBE_CONNECT_ATTEMPTS"].flatMap { Int($0) }
    if let attempts { policy.maxAttempts = max(1, attempts) }
    return policy
  }

  /// Connects, retrying while the server is unreachable; the error names the target, never the password.
  public func connect(logger: Logger) throws -> PGConnection {
    try PGConnection.connect(url: resolved, logger: logger, retry: retryPolicy)
  }
}
