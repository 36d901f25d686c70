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

  public func validate() throws {
    // Arguments are visible to every user of the machine (ps, /proc/PID/cmdline).
    if let url, !PGConnection.secrets(inConnectionString: url).isEmpty {
      printError(
        "warning: --database-url holds a password, which other users of this machine can read in ps; put the URL in $DATABASE_URL or the password in ~/.pgpass"
      )
    }
  }

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
  public func connect(logger: Logger, applicationName: String = "pixelprobe-coordinator") throws
    -> PGConnection
  {
    try PGConnection.connect(
      url: resolved, logger: logger, retry: retryPolicy, applicationName: applicationName)
  }
}
