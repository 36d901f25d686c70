import ArgumentParser
import CommandSupport
import Pipeline
import Queue

struct RenderCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "render",
    abstract:
      "Draw a job's results as pictures (eval-re: Fig. 3; score-refcoco: Fig. 4; play-game: a frame strip).",
    discussion: """
      eval-re: per image truth | reconstruction | error, contact-sheet.png and index.html.
      score-refcoco: per sentence image | ground truth | prediction with its box, and index.html. \
      Needs no model.
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Argument(help: "The job id.")
  var job: Int64
  @Option(help: "Output directory (created if missing).")
  var out: String
  @Option(help: "play-game: the episode to draw.")
  var episode: Int = 0
  @Option(help: "play-game: the first step shown.")
  var from: Int = 0
  @Option(help: "play-game: frames in the strip.")
  var frames: Int = 12
  @Option(help: "play-game: show every N-th stored frame.")
  var every: Int = 1

  func run() throws {
    try reportingErrors("coordinator render") {
      let logger = logging.makeLogger(label: "coordinator")
      let connection = try database.connect(logger: logger)
      let kind = try JobKindLookup.kind(of: job, connection: connection)
      if kind == GameSpec.playKind {
        var renderer = GameRenderer(connection: connection)
        renderer.episode = episode
        renderer.from = from
        renderer.frames = frames
        renderer.every = every
        let written = try renderer.render(job: job, to: out)
        printError("coordinator render: wrote \(written.count) files to \(out) (open \(out)/index.html)")
        return
      }
      guard kind != EvalVQASpec.kind else {
        throw PipelineError(
          .unknownKind, "job \(job)", "\(kind) jobs have no pictures (coordinator report or export instead)")
      }
      let written =
        kind == ScoreRefCOCOSpec.kind
        ? try ScoreRefCOCORenderer(connection: connection).render(job: job, to: out)
        : try RERenderer(connection: connection).render(job: job, to: out)
      printError("coordinator render: wrote \(written.count) files to \(out) (open \(out)/index.html)")
    }
  }
}
