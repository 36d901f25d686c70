import ArgumentParser
import CommandSupport
import Foundation
import Pipeline
import Queue

struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show jobs' progress: shards by state, questions per second, ETA.",
    discussion: "With --watch, redraws a live progress bar until the job(s) end (Ctrl-C to stop).")

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Argument(help: "A job id (default: every job).")
  var job: Int64?
  @Option(help: "text or json.")
  var format: ReportFormat = .text
  @Flag(help: "Redraw every --interval seconds until the job(s) end.")
  var watch = false
  @Option(help: "Seconds between redraws with --watch.")
  var interval: Double = 1

  func run() throws {
    try reportingErrors("coordinator status") {
      let logger = logging.makeLogger(label: "coordinator")
      let connection = try database.connect(logger: logger)
      let queue = WorkQueue(connection: connection)
      let terminal = isatty(STDOUT_FILENO) == 1
      while true {
        let jobs = try queue.status(jobID: job)
        if let job, jobs.isEmpty {
          throw PipelineError(.notFound, "job \(job)", "no such job")
        }
        let text =
          format == .json ? StatusReport.json(jobs) : StatusReport.text(jobs, progressBars: watch)
        if watch && terminal { print("\u{1B}[H\u{1B}[2J", terminator: "") }
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        guard watch, jobs.contains(where: { $0.state == "running" }) else { break }
        Thread.sleep(forTimeInterval: max(0.1, interval))
      }
    }
  }
}
