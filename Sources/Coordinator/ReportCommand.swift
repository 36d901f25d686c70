import ArgumentParser
import CommandSupport
import Pipeline
import Queue

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract:
      "Print a job's results tables (eval-re: RE; score-refcoco: cIoU, gIoU, REC accuracy; games: Table 4; eval-vqa: accuracy).",
    discussion: """
      eval-re: RE, references, effective resolution, per image (SQL views re_job_report, \
      re_image_report). score-refcoco: mask cIoU per split and their mean (paper Table 3 layout), \
      gIoU, REC accuracy @0.5 (Table 6 layout) (SQL views refcoco_split_report, refcoco_job_report, \
      refcoco_sentence_report). play-game / gen-game: mean and std reward and episodes (view \
      game_job_report), then every episode. eval-vqa: top-1 accuracy, unparsable and empty \
      answers, per answer type (views vqa_job_report, vqa_type_report, vqa_question_report). JSON \
      and CSV give ratios as fractions (eval-vqa JSON: accuracy_percent).
      """)

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
      let kind = try JobKindLookup.kind(of: job, connection: connection)
      if kind == GameSpec.playKind || kind == GameSpec.genKind {
        let report = try GameReport.load(job: job, connection: connection)
        switch format {
        case .text: print(report.text(), terminator: "")
        case .json: print(report.json(), terminator: "")
        case .csv: print(report.csv(), terminator: "")
        }
        return
      }
      if kind == EvalVQASpec.kind {
        let report = try EvalVQAReport.load(job: job, connection: connection)
        switch format {
        case .text: print(report.text(), terminator: "")
        case .json: print(report.json(), terminator: "")
        case .csv: print(report.csv(), terminator: "")
        }
        return
      }
      if kind == ScoreRefCOCOSpec.kind {
        let report = try ScoreRefCOCOReport.load(job: job, connection: connection)
        switch format {
        case .text: print(report.text(), terminator: "")
        case .json: print(report.json(), terminator: "")
        case .csv: print(report.csv(), terminator: "")
        }
        return
      }
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
    abstract: "Put several jobs of one kind side by side (eval-re: Table 2; score-refcoco: Tables 3, 6, 7).",
    discussion: """
      --table 2 assembles the paper's Table 2 / Table 8 row per model from jobs of several kinds: \
      RE from an eval-re job, the average REC accuracy from a score-refcoco job, and the five VQA \
      accuracies from eval-vqa jobs (one job per model and column; models are matched by URI), \
      with the paper's rows beneath. eval-vqa jobs alone are shown the same way.
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Argument(help: "Job ids.")
  var jobs: [Int64]
  @Option(help: "2: the paper's Table 2 row per model from eval-re, score-refcoco and eval-vqa jobs.")
  var table: Int?

  func validate() throws {
    guard !jobs.isEmpty else { throw ValidationError("give at least one job id") }
    if let table, table != 2 { throw ValidationError("--table takes 2 (the paper's Table 2 / Table 8 row)") }
  }

  func run() throws {
    try reportingErrors("coordinator compare") {
      let logger = logging.makeLogger(label: "coordinator")
      let connection = try database.connect(logger: logger)
      let kinds = try Set(jobs.map { try JobKindLookup.kind(of: $0, connection: connection) })
      if table == 2 || kinds == [EvalVQASpec.kind] {
        print(try Table2Report.load(jobs: jobs, connection: connection).text(), terminator: "")
        return
      }
      if kinds.isSubset(of: [GameSpec.playKind, GameSpec.genKind]) {
        let reports = try jobs.map { try GameReport.load(job: $0, connection: connection) }
        print(GameReport.compare(reports), terminator: "")
        return
      }
      if kinds == [ScoreRefCOCOSpec.kind] {
        let reports = try jobs.map { try ScoreRefCOCOReport.load(job: $0, connection: connection) }
        print(ScoreRefCOCOReport.compare(reports), terminator: "")
        return
      }
      let reports = try jobs.map { try REReport.load(job: $0, connection: connection) }
      print(REReport.compare(reports), terminator: "")
    }
  }
}

/// Output formats of `report`.
enum TableFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, csv
}
