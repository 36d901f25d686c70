/// Receives the shards of a job being enqueued: stores each blob at once and buffers the shard
/// rows, copied into `shards` in chunks, so memory stays flat however many shards a job has.
public struct ShardSink {
  /// The enqueue transaction's connection: a job kind writes its own planning rows here, so they
  /// exist exactly when the job does.
  public let connection: PGConnection
  let store: any BlobStore
  public let jobID: Int64
  let attemptLimit: Int
  let chunkSize: Int
  var pending: [[PGValue]] = []
  /// Shards added so far.
  public private(set) var count = 0
  /// Questions of the shards added so far.
  public private(set) var questions: Int64 = 0

  init(connection: PGConnection, store: any BlobStore, jobID: Int64, attemptLimit: Int, chunkSize: Int) {
    self.connection = connection
    self.store = store
    self.jobID = jobID
    self.attemptLimit = attemptLimit
    self.chunkSize = max(1, chunkSize)
  }

  /// Adds shard number `count` (0, 1, 2, ...): its input blob and how many questions it holds.
  public mutating func add(bytes: [UInt8], digest: String, questions: Int) throws {
    guard questions >= 0 else {
      throw QueueError(
        .invalidArgument, "job \(jobID) shard \(count)", "questions must not be negative")
    }
    try store.put(digest: digest, bytes: bytes, on: connection)
    pending.append([
      .int(jobID), .int(Int64(count)), .int(Int64(attemptLimit)), .int(Int64(questions)),
      .text(digest), .int(Int64(bytes.count)),
    ])
    count += 1
    self.questions += Int64(questions)
    if pending.count >= chunkSize { try flush() }
  }

  mutating func flush() throws {
    guard !pending.isEmpty else { return }
    try connection.copyIn(
      "COPY shards (job_id, idx, attempt_limit, questions, input_digest, input_size) FROM STDIN",
      rows: pending)
    pending.removeAll(keepingCapacity: true)
  }
}
