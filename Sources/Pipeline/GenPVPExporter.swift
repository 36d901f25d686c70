import Model
public import Queue
import Shards

/// Streams a finished gen-pvp job's questions and answers in question order, one shard at a time.
public struct GenPVPExporter {
  public let connection: PGConnection

  public init(connection: PGConnection) {
    self.connection = connection
  }

  /// Writes every answered question; returns how many.
  @discardableResult
  public func export(job: Int64, spec: GenPVPSpec, format: ExportFormat, to sink: OutputSink)
    throws -> Int
  {
    let store = try BlobStores.parse(spec.store)
    let rows = try connection.query(
      "SELECT idx, state, output_digest FROM shards WHERE job_id = $1 ORDER BY idx", [.int(job)])
    var written = 0
    if format == .minigpt { sink.write("[\n") }
    for row in 0..<rows.count {
      let index = rows.int(row, 0) ?? -1
      guard rows.string(row, 1) == "done", let digest = rows.string(row, 2) else {
        throw PipelineError(
          .notFound, "job \(job) shard \(index)",
          "is \(rows.string(row, 1) ?? "?"), not done: nothing to export yet")
      }
      let name = "job \(job) shard \(index) (output)"
      let bytes = try store.get(digest: digest, on: connection)
      var reader = try ShardReader(
        bytes: bytes, expectedDigest: digest, expectedKind: .pvpOutput, name: name)
      // Records are grouped by image; put the shard back into question order.
      var answers: [(PVPAnswer, image: Int)] = []
      var images: [String] = []
      while let record: PVPImageAnswers = try reader.next() {
        images.append(record.image)
        for answer in record.answers { answers.append((answer, images.count - 1)) }
      }
      answers.sort { $0.0.index < $1.0.index }
      for (answer, image) in answers {
        let question = TaskFormat.pixelQuestion(
          row: Int(answer.row), col: Int(answer.col), order: spec.locOrder)
        let text = TaskFormat.pixelAnswer(r: answer.r, g: answer.g, b: answer.b)
        switch format {
        case .jsonl:
          sink.write(
            #"{"index":\#(answer.index),"image":\#(jsonString(images[image])),"row":\#(answer.row),"col":\#(answer.col),"question":\#(jsonString(question)),"answer":"\#(text)"}"#
              + "\n")
        case .minigpt:
          if written > 0 { sink.write(",\n") }
          sink.write(
            #"{"image":\#(jsonString(images[image])),"instruction_input":\#(jsonString(TaskFormat.minigptInstruction(question))),"answer":"\#(text)"}"#
          )
        }
        written += 1
      }
    }
    if format == .minigpt { sink.write("\n]\n") }
    sink.flush()
    return written
  }
}
