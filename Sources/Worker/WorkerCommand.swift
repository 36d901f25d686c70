import ArgumentParser
import CommandSupport
import Foundation
import Pipeline
import Queue

@main
struct WorkerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "worker",
    abstract: "Claim shards from PostgreSQL, run them, and write their results back.",
    discussion: """
      Stateless: run as many as you like, anywhere that reaches the database (and, for gen-pvp,
      sees the image corpus). A shard is held under a lease renewed by heartbeats; a worker that
      dies simply lets the lease expire and another worker takes the shard over. SIGTERM or
      SIGINT stops claiming, lets running shards finish until --drain-seconds, hands back the
      rest, and exits 0.
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Option(help: "Shards run at once (default: the number of cores).")
  var concurrency: Int = ProcessInfo.processInfo.activeProcessorCount
  @Option(
    parsing: .upToNextOption,
    help: "Only claim shards of these job kinds (default: every kind this worker knows).")
  var kinds: [String] = []
  @Flag(help: "Exit 0 once nothing is left to claim (for Slurm arrays and Kubernetes Jobs).")
  var exitWhenIdle = false
  @Option(help: "Where this machine sees the image corpus, if not where the coordinator saw it.")
  var imageRoot: String?
  @Option(help: "Seconds to let running shards finish after SIGTERM before handing them back.")
  var drainSeconds: Double = 30
  @Option(help: "Name of this worker in leases and logs (default: host:pid).")
  var name: String?

  func validate() throws {
    guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
    let unknown = kinds.filter { !PipelineExecutor.kinds.contains($0) }
    guard unknown.isEmpty else {
      throw ValidationError(
        "--kinds: unknown job kind(s) \(unknown.joined(separator: ", ")); known: \(PipelineExecutor.kinds.joined(separator: ", "))"
      )
    }
  }

  func run() throws {
    try reportingErrors("worker") {
      let logger = logging.makeLogger(label: "worker")
      var configuration = WorkerConfiguration(databaseURL: database.resolved)
      configuration.kinds = kinds.isEmpty ? PipelineExecutor.kinds : kinds
      configuration.concurrency = concurrency
      configuration.exitWhenIdle = exitWhenIdle
      configuration.drainDeadline = drainSeconds
      if let name { configuration.owner = name }
      let runtime = WorkerRuntime(
        configuration: configuration,
        executor: PipelineExecutor(imageRootOverride: imageRoot),
        store: PostgresBlobStore(), logger: logger)
      let signals = SignalWatcher(signals: [SIGTERM, SIGINT]) { runtime.requestShutdown() }
      let code = try runtime.run()
      withExtendedLifetime(signals) {}
      if code != 0 { throw ExitCode(code) }
    }
  }
}
