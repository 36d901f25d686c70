import Foundation
import Pipeline
import Queue
import Testing

/// Exports of the same questions planned with two shard sizes and run by one or two worker
/// processes: the index-order export is the same bytes every time, the shard-order export the
/// same lines in another order, and a many-pass index export equals a one-pass one.
@Suite(.serialized) struct GenPVPExporterTests {
  static func run(shardSize: Int, workers: Int) throws -> (job: Int64, index: String, shard: String) {
    let db = ["DATABASE_URL": try PrivateDatabase.export.url()]
    let enqueued = try ProcessRunner.run(
      "coordinator",
      [
        "enqueue", "gen-pvp", "--images", TestEnvironment.photos, "--questions", "2000",
        "--shard-size", "\(shardSize)", "--seed", "11", "--idempotency-key", "export-\(UUID())",
      ], environment: db)
    let job = try #require(
      Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(enqueued.stderr)")
    let running = try (0..<workers).map { _ in
      try ProcessRunner.start(
        "worker", ["--exit-when-idle", "--concurrency", "1", "--kinds", "gen-pvp"], environment: db)
    }
    for (process, out, err) in running {
      let finished = ProcessRunner.finish(process, out, err)
      #expect(finished.status == 0, "\(finished.stderr)")
    }
    // The job's end as the coordinator sees it (the workers' exit says nothing of it).
    let waited = try ProcessRunner.run("coordinator", ["wait", "\(job)"], environment: db)
    #expect(waited.status == 0, "\(waited.stderr)")
    let index = try ProcessRunner.run("coordinator", ["export", "\(job)"], environment: db)
    #expect(index.status == 0, "\(index.stderr)")
    let shard = try ProcessRunner.run(
      "coordinator", ["export", "\(job)", "--order", "shard"], environment: db)
    #expect(shard.status == 0, "\(shard.stderr)")
    return (job, index.stdout, shard.stdout)
  }

  @Test func exportsDoNotDependOnShardSizeOrWorkers() throws {
    var runs: [(shardSize: Int, workers: Int, job: Int64, index: String, shard: String)] = []
    for shardSize in [150, 900] {
      for workers in [1, 2] {
        let (job, index, shard) = try Self.run(shardSize: shardSize, workers: workers)
        runs.append((shardSize, workers, job, index, shard))
      }
    }
    let reference = runs[0].index
    let lines = reference.split(separator: "\n")
    #expect(lines.count == 2000)
    // Index order: question numbers 0, 1, 2, ... line after line.
    for (n, line) in lines.enumerated() { #expect(line.hasPrefix(#"{"index":\#(n),"#)) }
    for run in runs {
      let same = run.index == reference
      #expect(same, "shard size \(run.shardSize), \(run.workers) workers")
      let shardLines = run.shard.split(separator: "\n")
      let sameSet = shardLines.sorted() == lines.sorted()
      #expect(sameSet, "shard size \(run.shardSize): the shard-order export holds other lines")
      // Shard order keeps each image's questions together: an image's lines are contiguous.
      var finished: Set<String> = []
      var current = ""
      for line in shardLines {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let image = try #require(object["image"] as? String)
        if image != current {
          #expect(!finished.contains(image), "\(image) comes back")
          finished.insert(current)
          current = image
        }
      }
    }
    let reordered = runs[0].shard != runs[0].index
    #expect(reordered, "shard order should group questions by image")

    // Many passes (window 170: twelve over 2000 questions) give the same bytes as one.
    let connection = try PrivateDatabase.export.connect()
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pixelprobe-window-\(getpid())-\(UUID()).jsonl")
    defer { try? FileManager.default.removeItem(at: file) }
    #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
    let handle = try FileHandle(forWritingTo: file)
    let json = try #require(
      try connection.query("SELECT spec::text FROM jobs WHERE id = $1", [.int(runs[1].job)]).string(0, 0))
    let spec = try JSONDecoder().decode(GenPVPSpec.self, from: Data(json.utf8))
    let written = try GenPVPExporter(connection: connection, windowQuestions: 170).export(
      job: runs[1].job, spec: spec, format: .jsonl, to: OutputSink(handle: handle))
    try handle.close()
    #expect(written == 2000)
    let windowed = try String(contentsOf: file, encoding: .utf8) == reference
    #expect(windowed, "a twelve-pass export differs from the one-pass one")
  }

  @Test func orderIsRefusedForOtherKinds() throws {
    let db = ["DATABASE_URL": try PrivateDatabase.export.url()]
    let enqueued = try ProcessRunner.run(
      "coordinator",
      [
        "enqueue", "eval-re", "--images", TestEnvironment.photos, "--count", "1", "--per-image", "2",
        "--model", "baseline:mean", "--idempotency-key", "order-\(UUID())",
      ], environment: db)
    let job = try #require(Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    let result = try ProcessRunner.run(
      "coordinator", ["export", "\(job)", "--order", "shard"], environment: db)
    #expect(result.status != 0)
    #expect(result.stderr.contains("--order") && result.stderr.contains("gen-pvp"), "\(result.stderr)")
  }
}
