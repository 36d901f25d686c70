/// What running a shard produced. `writeResults` runs inside the transaction that marks the shard
/// done, and only if the lease still holds, so a worker that lost its lease writes nothing.
public struct ShardOutput: Sendable {
  public var outputDigest: String?
  public var outputSize: Int?
  /// Questions answered (added to the job's `questions_done`).
  public var questions: Int
  public var writeResults: @Sendable (PGConnection) throws -> Void

  public init(
    outputDigest: String? = nil, outputSize: Int? = nil, questions: Int,
    writeResults: @escaping @Sendable (PGConnection) throws -> Void = { _ in }
  ) {
    self.outputDigest = outputDigest
    self.outputSize = outputSize
    self.questions = questions
    self.writeResults = writeResults
  }
}
