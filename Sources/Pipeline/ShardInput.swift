import Queue
import Shards

/// Fetches a claimed shard's input blob and opens it, verifying its digest first.
enum ShardInput {
  static func open(
    _ shard: ClaimedShard, store: any BlobStore, kind: RecordKind, connection: PGConnection
  ) throws -> ShardReader {
    let name = "job \(shard.jobID) shard \(shard.index) (input)"
    let bytes: [UInt8]
    do {
      bytes = try store.input(of: shard, on: connection)
    } catch let error as PGError where error.isTransient {
      // The database went away for a moment: another attempt will read the blob.
      throw ShardFailure(
        retryable: true, code: ShardFailure.databaseCode, message: "\(name): \(error)")
    } catch {
      throw ShardFailure(retryable: false, code: "missing-blob", message: "\(name): \(error)")
    }
    do {
      return try ShardReader(
        bytes: bytes, expectedDigest: shard.inputDigest, expectedKind: kind, name: name)
    } catch {
      throw ShardFailure(retryable: false, code: "bad-shard", message: "\(error)")
    }
  }
}
