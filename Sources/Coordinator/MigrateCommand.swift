import ArgumentParser
import CommandSupport
import Queue

struct MigrateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "migrate",
    abstract: "Apply the pending schema migrations (plain SQL files in migrations/).",
    discussion: """
      All pending files are applied in one transaction under an advisory lock, so two coordinators \
      never migrate at once. Refuses to run if a file that was already applied has been edited.
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Option(
    help: "The migrations directory (default: $PIXELPROBE_MIGRATIONS, ./migrations, or next to the build).")
  var migrations: String?

  func run() throws {
    try reportingErrors("coordinator migrate") {
      let logger = logging.makeLogger(label: "coordinator")
      guard let directory = Migrator.locateDirectory(explicit: migrations) else {
        throw ValidationError("no migrations directory found; pass --migrations DIR")
      }
      let connection = try database.connect(logger: logger)
      let applied = try Migrator(directory: directory, logger: logger).migrate(on: connection)
      if applied.isEmpty {
        printError("coordinator migrate: schema is up to date")
      } else {
        for name in applied { printError("coordinator migrate: applied \(name)") }
      }
    }
  }
}
