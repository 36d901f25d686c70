public import Queue
public import Shards

/// Reads a finished job's output shards in shard order, verifying each digest.
public struct OutputShards {
  public let connection: PGConnection
  public let job: Int64
  public let store: any BlobStore

  public init(connection: PGConnection, job: Int64, store: any BlobStore) {
    self.connection = connection
    self.job = job
    self.store = store
  }

  /// Calls `body` with a reader over each shard's output, in shard order. Every shard must be done.
  public func forEach(kind: RecordKind, _ body: (Int, ShardReader) throws -> Void) throws {
    try forEach(kinds: [kind], body)
  }

  /// As `forEach(kind:)`, for a job whose shards may be of any of `kinds` (an older layout).
  public func forEach(kinds: Set<RecordKind>, _ body: (Int, ShardReader) throws -> Void) throws {
    let rows = try connection.query(
      "SELECT idx, state, output_digest FROM shards WHERE job_id = $1 ORDER BY idx", [.int(job)])
    for row in 0..<rows.count {
      let index = Int(rows.int(row, 0) ?? -1)
      guard rows.string(row, 1) == "done", let digest = rows.string(row, 2) else {
        throw PipelineError(
          .notFound, "job \(job) shard \(index)",
          "is \(rows.string(row, 1) ?? "?"), not done: its results are not there yet")
      }
      let bytes = try store.get(digest: digest, on: connection)
      let name = "job \(job) shard \(index) (output)"
      let reader = try ShardReader(
        bytes: bytes, expectedDigest: digest, expectedKind: nil, name: name)
      guard kinds.contains(reader.kind) else {
        let expected = kinds.map(\.code).sorted().joined(separator: " or ")
        throw ShardError(.wrongKind, shard: name, "records are \(reader.kind), expected \(expected)")
      }
      try body(index, reader)
    }
  }
}
