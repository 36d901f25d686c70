import Foundation
import Queue

/// Decoding and encoding job specs (the JSON stored with each job).
enum JobSpec {
  static func decode<T: Decodable>(_ shard: ClaimedShard) throws -> T {
    do {
      return try JSONDecoder().decode(T.self, from: Data(shard.spec.utf8))
    } catch {
      throw ShardFailure(
        retryable: false, code: "bad-spec",
        message: "job \(shard.jobID): spec does not decode as \(T.self): \(error)")
    }
  }

  static func decode<T: Decodable>(_ json: String, job: Int64) throws(PipelineError) -> T {
    do {
      return try JSONDecoder().decode(T.self, from: Data(json.utf8))
    } catch {
      throw PipelineError(.badSpec, "job \(job)", "spec does not decode as \(T.self): \(error)")
    }
  }

  /// Canonical JSON (sorted keys), so the same spec always gives the same idempotency key.
  static func encode<T: Encodable>(_ spec: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(spec), as: UTF8.self)
  }
}
