import ArgumentParser
import CommandSupport
import Pipeline
import Queue

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Print a job's results table (eval-re: RE, references, effective resolution, per image).",
    discussion: "The same figures are in the SQL views re_job_report and re_image_report.")

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Argument(help: "The job id.")
  var job: Int64
  @Option(help: "text, json or csv.")
  var format: TableFormat = .text

  func run() throws {
    try reportingErrors("coordinator report") {
      let logger = logging.makeLogger(label: "coordinator")
      let connection = try database.connect(logger: logger)
      let report = try REReport.load(job: job, connection: connection)
      switch format {
      case .text: print(report.text(), terminator: "")
      case .json: print(report.json(), terminator: "")
      case .csv: print(report.csv(), terminator: "")
      }
    }
  }
}

struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Put several eval-re jobs side by side, like the paper's Table 2.")

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Argument(help: "Job ids.")
  var jobs: [Int64]

  func validate() throws {
    guard !jobs.isEmpty else { throw ValidationError("give at least one job id") }
  }

  func run() throws {
    try reportingErrors("coordinator compare") {
      let logger = logging.makeLogger(label: "coordinator")
      let connection = try database.connect(logger: logger)
      let reports = try jobs.map { try REReport.load(job: $0, connection: connection) }
      print(REReport.compare(reports), terminator: "")
    }
  }
}

/// Output formats of `report`.
enum TableFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, csv
}
