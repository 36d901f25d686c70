public import Queue
import Shards

/// Streams a finished gen-pvp job's questions and answers with bounded memory.
///
/// Shards hold whole images (each image's questions in one shard), so question order runs across
/// every shard. `.index` (the default) writes question order in passes over windows of
/// `windowQuestions` question numbers: each pass reads every output shard once and drops the
/// answers of its window into a dense table (every number below the job's total is answered
/// exactly once), then writes the window out. Memory is 12 bytes per window entry plus the image
/// names; the output is the same bytes whatever the shard size or the number of workers.
/// `.shard` writes shard after shard as stored (one pass, images in corpus order, each image's
/// questions ascending).
public struct GenPVPExporter {
  public let connection: PGConnection
  /// Question numbers per pass of an index-order export (2^20: 12 MB, four passes at 3.6M).
  public var windowQuestions: Int

  public init(connection: PGConnection, windowQuestions: Int = 1 << 20) {
    precondition(windowQuestions >= 1)
    self.connection = connection
    self.windowQuestions = windowQuestions
  }

  /// One answered question of the window being filled; `image` is -1 until it is.
  struct Entry {
    var image: Int32 = -1
    var row: UInt16 = 0
    var col: UInt16 = 0
    var r: UInt8 = 0
    var g: UInt8 = 0
    var b: UInt8 = 0
  }

  /// Writes every answered question; returns how many.
  @discardableResult
  public func export(
    job: Int64, spec: GenPVPSpec, format: ExportFormat, order: GenPVPExportOrder = .index,
    to sink: OutputSink
  ) throws -> Int {
    let shards = OutputShards(
      connection: connection, job: job, store: try BlobStores.parse(spec.store))
    var writer = GenPVPLineWriter(spec: spec, format: format, sink: sink)
    writer.begin()
    switch order {
    case .shard:
      try shards.forEach(kind: .pvpOutput) { _, reader in
        while let record: PVPImageAnswers = try reader.next() {
          for answer in record.answers {
            writer.write(
              index: answer.index, image: record.image, answer.row, answer.col, answer.r, answer.g, answer.b)
          }
        }
      }
    case .index:
      var names = ImageNames()
      var table = [Entry](repeating: Entry(), count: min(windowQuestions, spec.questions))
      for low in stride(from: 0, to: spec.questions, by: windowQuestions) {
        let high = min(low + windowQuestions, spec.questions)
        for slot in 0..<(high - low) { table[slot].image = -1 }
        try shards.forEach(kind: .pvpOutput) { k, reader in
          while let record: PVPImageAnswers = try reader.next() {
            var image: Int32?
            for answer in record.answers where answer.index >= low && answer.index < high {
              let slot = Int(answer.index) - low
              guard table[slot].image < 0 else {
                throw PipelineError(
                  .badSpec, "job \(job) shard \(k)", "question \(answer.index) is answered twice")
              }
              let id = image ?? names.id(record.image)
              image = id
              table[slot] = Entry(
                image: id, row: answer.row, col: answer.col, r: answer.r, g: answer.g, b: answer.b)
            }
          }
        }
        for slot in 0..<(high - low) {
          let entry = table[slot]
          guard entry.image >= 0 else {
            throw PipelineError(.badSpec, "job \(job)", "question \(low + slot) has no answer in any shard")
          }
          writer.write(
            index: UInt64(low + slot), image: names.names[Int(entry.image)], entry.row, entry.col,
            entry.r, entry.g, entry.b)
        }
      }
    }
    writer.end()
    return writer.written
  }
}
