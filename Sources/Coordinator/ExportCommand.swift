import ArgumentParser
import CommandSupport
import Foundation
import Pipeline
import Queue

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Stream a finished job's records (gen-pvp: training annotations).",
    discussion: """
      gen-pvp jsonl: one object per question (index, image, row, col, question, answer). \
      --order index (the default) writes question order, the same bytes however the job was \
      sharded, in passes of 2^20 questions over every output shard (bounded memory); --order shard \
      writes the shards as stored in one pass: images in corpus order, each image's questions \
      ascending.
      minigpt: a JSON array of {image, instruction_input, answer} as MiniGPT-v2's datasets build them.
      score-refcoco (jsonl): one object per scored sentence (dataset, split, ref_id, sent_id, \
      intersection, union, gt_box, pred_box, box_iou, ...), enough to recompute cIoU and gIoU.
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Argument(help: "The job id.")
  var job: Int64
  @Option(help: "jsonl or minigpt.")
  var format: ExportFormat = .jsonl
  @Option(help: "gen-pvp: index (question order, default) or shard (as stored, one pass).")
  var order: GenPVPExportOrder?
  @Option(help: "Write to this file instead of standard output.")
  var out: String?

  func run() throws {
    try reportingErrors("coordinator export") {
      let logger = logging.makeLogger(label: "coordinator")
      let connection = try database.connect(logger: logger)
      let handle: FileHandle
      if let out {
        guard FileManager.default.createFile(atPath: out, contents: nil),
          let opened = FileHandle(forWritingAtPath: out)
        else { throw ValidationError("--out \(out): cannot create the file") }
        handle = opened
      } else {
        handle = .standardOutput
      }
      let count = try Exporter(connection: connection).export(
        job: job, format: format, order: order, to: OutputSink(handle: handle))
      printError("coordinator export: job \(job): \(count) records")
    }
  }
}
