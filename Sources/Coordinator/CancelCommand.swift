import ArgumentParser
import CommandSupport
import Queue

struct CancelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cancel",
    abstract: "Cancel a job: workers stop claiming its shards; finished results are kept.")

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Argument(help: "The job id.")
  var job: Int64

  func run() throws {
    try reportingErrors("coordinator cancel") {
      let logger = logging.makeLogger(label: "coordinator")
      let connection = try database.connect(logger: logger)
      try WorkQueue(connection: connection).cancel(jobID: job)
      printError("coordinator cancel: job \(job) cancelled")
    }
  }
}

struct RetryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "retry",
    abstract: "Put a job's dead and failed shards back to available with a fresh attempt budget.")

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Argument(help: "The job id.")
  var job: Int64

  func run() throws {
    try reportingErrors("coordinator retry") {
      let logger = logging.makeLogger(label: "coordinator")
      let connection = try database.connect(logger: logger)
      let count = try WorkQueue(connection: connection).retry(jobID: job)
      printError("coordinator retry: job \(job): \(count) shard(s) back to available")
    }
  }
}
