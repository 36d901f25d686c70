public import ArgumentParser
import Foundation

/// `--database-url`, shared by every command that talks to PostgreSQL.
public struct DatabaseOptions: ParsableArguments {
  @Option(
    name: .customLong("database-url"),
    help: ArgumentHelp(
      "libpq connection URI or key=value string (default: $DATABASE_URL; empty uses the PG* variables and ~/.pgpass).",
      valueName: "url"))
  public var url: String?

  public init() {}

  /// The connection string to hand to libpq.
  public var resolved: String {
    url ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
  }
}
