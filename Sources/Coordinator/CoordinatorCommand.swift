import ArgumentParser

@main
struct CoordinatorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "coordinator",
    abstract: "Plan PixelProbe jobs into shards in PostgreSQL, follow them, and read their results.",
    discussion: """
      The database comes from --database-url, else $DATABASE_URL, else libpq's PG* variables.
      A typical session: `coordinator migrate`, `coordinator enqueue gen-pvp --images DIR`, \
      run `worker` processes anywhere that reaches the database, `coordinator wait JOB`, \
      then `coordinator export JOB`.
      """,
    subcommands: [
      MigrateCommand.self, EnqueueCommand.self, StatusCommand.self, WaitCommand.self,
      CancelCommand.self, RetryCommand.self, ExportCommand.self, ReportCommand.self,
      CompareCommand.self, RenderCommand.self, PruneCommand.self,
    ])
}
