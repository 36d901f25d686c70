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
    let shards = OutputShards(
      connection: connection, job: job, store: try BlobStores.parse(spec.store))
    var written = 0
    if format == .minigpt { sink.write("[\n") }
    try shards.forEach(kind: .pvpOutput) { _, reader in
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
            #"{"index":\#(answer.index),"image":\#(jsonLiteral(images[image])),"row":\#(answer.row),"col":\#(answer.col),"question":\#(jsonLiteral(question)),"answer":"\#(text)"}"#
              + "\n")
        case .minigpt:
          if written > 0 { sink.write(",\n") }
          sink.write(
            #"{"image":\#(jsonLiteral(images[image])),"instruction_input":\#(jsonLiteral(TaskFormat.minigptInstruction(question))),"answer":"\#(text)"}"#
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
