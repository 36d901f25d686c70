import Model
public import Queue
import Shards

/// Streams every question of a finished eval-re job: image, row, col, the raw answer, the parsed
/// colour (or null) and the target — enough to recompute every figure of the report.
public struct REExporter {
  public let connection: PGConnection

  public init(connection: PGConnection) {
    self.connection = connection
  }

  @discardableResult
  public func export(job: Int64, spec: EvalRESpec, to sink: OutputSink) throws -> Int {
    let shards = OutputShards(
      connection: connection, job: job, store: try BlobStores.parse(spec.store))
    var written = 0
    try shards.forEach(kinds: RecordKind.reOutputKinds) { _, reader in
      while let record = try reader.nextREOutput() {
        let image = jsonLiteral(record.image)
        for (n, cell) in record.cells.enumerated() {
          let row = Int(cell) / record.grid
          let col = Int(cell) % record.grid
          let t = Int(cell) * 3
          let target = "[\(record.target[t]),\(record.target[t + 1]),\(record.target[t + 2])]"
          let rgb = record.parsed[n].map { "[\($0.r),\($0.g),\($0.b)]" } ?? "null"
          sink.write(
            #"{"image":\#(image),"row":\#(row),"col":\#(col),"answer":\#(jsonLiteral(record.answers[n])),"rgb":\#(rgb),"target":\#(target)}"#
              + "\n")
          written += 1
        }
      }
    }
    sink.flush()
    return written
  }
}
