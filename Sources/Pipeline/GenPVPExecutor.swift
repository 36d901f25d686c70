import Foundation
import Imaging
public import Queue
import Shards

/// Runs one claimed gen-pvp shard: fetch and verify the input, do the work, store the output blob,
/// and hand back the metrics row for the completing transaction.
public struct GenPVPExecutor: ShardExecutor {
  /// Where this worker sees the corpus, when it is mounted somewhere else than the coordinator saw it.
  public var imageRootOverride: String?

  public init(imageRootOverride: String? = nil) {
    self.imageRootOverride = imageRootOverride
  }

  public func execute(_ shard: ClaimedShard, context: ExecutionContext) throws -> ShardOutput {
    let spec: GenPVPSpec = try JobSpec.decode(shard)
    let name = shard.name
    let store = try BlobStores.parse(spec.store)
    let input = try ShardInput.open(
      shard, store: store, kind: .pvpInput, connection: context.connection)
    let work = GenPVPWork(spec: spec, imageRoot: imageRootOverride ?? spec.imageRoot)
    let result: GenPVPWork.Result
    do {
      result = try work.run(input, shard: shard.index, isCancelled: context.isCancelled)
    } catch let error as ImageError {
      throw ShardFailure(retryable: false, code: "bad-image", message: "\(name): \(error)")
    } catch is CancellationError {
      throw ShardFailure(retryable: true, code: "cancelled", message: "\(name): lease lost")
    }
    guard result.questions == shard.questions else {
      throw ShardFailure(
        retryable: false, code: "count-mismatch",
        message:
          "\(name): input holds \(result.questions) questions, the queue expected \(shard.questions)")
    }
    try store.put(digest: result.blob.digest, bytes: result.blob.bytes, on: context.connection)
    let (jobID, index, questions, images) = (
      shard.jobID, Int64(shard.index), Int64(result.questions), Int64(result.images)
    )
    return ShardOutput(
      outputDigest: result.blob.digest, outputSize: result.blob.size, questions: result.questions,
      writeResults: { connection in
        try connection.execute(
          """
          INSERT INTO pvp_shard_stats (job_id, idx, questions, images) VALUES ($1, $2, $3, $4)
          """,
          [.int(jobID), .int(index), .int(questions), .int(images)])
      })
  }
}
