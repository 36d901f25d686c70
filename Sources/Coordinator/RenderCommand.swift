import ArgumentParser
import CommandSupport
import Pipeline
import Queue

struct RenderCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "render",
    abstract: "Draw a job's results as pictures (eval-re: Fig. 3; score-refcoco: Fig. 4).",
    discussion: """
      eval-re: per image truth | reconstruction | error, contact-sheet.png and index.html.
      score-refcoco: per sentence image | ground truth | prediction with its box, and index.html.
      Needs no model.
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Argument(help: "The job id.")
  var job: Int64
  @Option(help: "Output directory (created if missing).")
  var out: String

  func run() throws {
    try reportingErrors("coordinator render") {
      let logger = logging.makeLogger(label: "coordinator")
      let connection = try database.connect(logger: logger)
      let written =
        try JobKindLookup.kind(of: job, connection: connection) == ScoreRefCOCOSpec.kind
        ? try ScoreRefCOCORenderer(connection: connection).render(job: job, to: out)
        : try RERenderer(connection: connection).render(job: job, to: out)
      printError("coordinator render: wrote \(written.count) files to \(out) (open \(out)/index.html)")
    }
  }
}
