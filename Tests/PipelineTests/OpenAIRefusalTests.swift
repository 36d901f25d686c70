import Foundation
import Queue
import Testing

/// A server that refuses a request for good (404 for the model name) fails its shard at once,
/// naming the URL and the server's message, without spending the job's other attempts.
@Suite struct OpenAIRefusalTests {
  @Test func aRefusedModelFailsTheShardForGood() throws {
    let server = try FakeVLMProcess()
    let db = ["DATABASE_URL": try TestEnvironment.databaseURL()]
    let enqueued = try ProcessRunner.run(
      "coordinator",
      [
        "enqueue", "eval-re", "--images", TestEnvironment.photos, "--count", "1", "--per-image", "8",
        "--model", server.model("missing-model"), "--max-attempts", "3", "--idempotency-key",
        UUID().uuidString,
      ], environment: db)
    #expect(enqueued.status == 0, "\(enqueued.stderr)")
    let job = try #require(Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    let worker = try ProcessRunner.run(
      "worker", ["--exit-when-idle", "--concurrency", "1", "--kinds", "eval-re"], environment: db)
    #expect(worker.status == 0, "\(worker.stderr)")
    let waited = try ProcessRunner.run("coordinator", ["wait", "\(job)", "--timeout", "60"], environment: db)
    #expect(waited.status == 1)
    let connection = try TestEnvironment.connect()
    let shard = try connection.query(
      "SELECT state, attempt, error FROM shards WHERE job_id = $1 AND idx = 0", [.int(job)])
    #expect(shard.string(0, 0) == "dead" && shard.int(0, 1) == 1)
    let error = shard.string(0, 2) ?? ""
    #expect(
      error.contains("model-rejected") && error.contains("HTTP 404") && error.contains("not found"),
      "\(error)")
    #expect(error.contains("http://127.0.0.1:\(server.port)/v1/chat/completions"))
  }
}
