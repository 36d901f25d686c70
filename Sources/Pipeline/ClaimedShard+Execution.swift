public import Model
public import Queue
public import Shards

/// What every executor does around its own work: naming the shard in failures, building the
/// job's model, and storing the output blob before handing back the result rows.
extension ClaimedShard {
  /// "job J shard I": how failures and logs name the shard.
  public var name: String { "job \(jobID) shard \(index)" }

  /// The job's model. A URI that cannot be built fails the shard for good: no attempt would do
  /// better (enqueue refuses such URIs, so this is a model file changed or lost since).
  public func model(_ uri: String) throws -> any VisionLanguageModel {
    do {
      return try ModelFactory.model(uri)
    } catch {
      throw ShardFailure(retryable: false, code: "bad-model", message: "\(name): \(error)")
    }
  }

  /// Stores `blob` (the shard's output) and returns the completion that copies `rows` into the
  /// result table with `copy` (a `COPY table (columns) FROM STDIN`), in the completing
  /// transaction.
  public func output(
    _ blob: ShardBlob, store: any BlobStore, context: ExecutionContext, questions: Int,
    copy: String, rows: [[PGValue]]
  ) throws -> ShardOutput {
    try store.put(digest: blob.digest, bytes: blob.bytes, on: context.connection)
    return ShardOutput(
      outputDigest: blob.digest, outputSize: blob.size, questions: questions,
      writeResults: { connection in _ = try connection.copyIn(copy, rows: rows) })
  }
}
