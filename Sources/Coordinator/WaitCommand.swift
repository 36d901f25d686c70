import ArgumentParser
import CommandSupport
import Foundation
import Pipeline
import Queue

struct WaitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "wait",
    abstract: "Block until a job ends; exit 0 only if it succeeded.",
    discussion: "Exit codes: 0 succeeded, 1 failed or cancelled (the reason on stderr), 2 timed out.")

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Argument(help: "The job id.")
  var job: Int64
  @Option(help: "Give up after this many seconds (default: never).")
  var timeout: Double?
  @Option(help: "Seconds between checks.")
  var interval: Double = 0.5

  func run() throws {
    try reportingErrors("coordinator wait") {
      let logger = logging.makeLogger(label: "coordinator")
      let deadline = timeout.map { Date().addingTimeInterval($0) }
      var connection = try database.connect(logger: logger)
      while true {
        let progress: JobProgress
        do {
          guard let found = try WorkQueue(connection: connection).status(jobID: job).first else {
            throw PipelineError(.notFound, "job \(job)", "no such job")
          }
          progress = found
        } catch let error as PGError {
          // The database restarting is not the job failing: reconnect and keep waiting.
          logger.warning("lost the database; reconnecting", metadata: ["error": "\(error)"])
          connection = try database.connect(logger: logger)
          continue
        }
        switch progress.state {
        case "succeeded":
          printError("coordinator wait: job \(job) succeeded")
          return
        case "running":
          if let deadline, Date() > deadline {
            printError("coordinator wait: job \(job) still running after \(timeout ?? 0) s")
            throw ExitCode(2)
          }
          Thread.sleep(forTimeInterval: max(0.05, interval))
        default:
          printError("coordinator wait: job \(job) \(progress.state): \(progress.error ?? "")")
          throw ExitCode.failure
        }
      }
    }
  }
}
