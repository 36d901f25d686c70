import Foundation
import Imaging
import Queue
import Testing

@Suite(.serialized) struct EvalREEndToEndTests {
  static let images = [
    "opencv-aero1.jpg", "opencv-apple.jpg", "opencv-baboon.jpg", "opencv-basketball1.png",
  ]

  /// The Pillow-made targets of the first `count` photos in name order.
  static func targets(count: Int) throws -> [(String, RGBImage)] {
    let names = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.photos)
      .filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }.sorted().prefix(count)
    return try names.map { name in
      let stem = (name as NSString).deletingPathExtension
      return (name, try ImageDecoder.decodeFile(atPath: TestEnvironment.photos64 + "/" + stem + ".png"))
    }
  }

  /// Runs an eval-re job to its end with one worker process; returns the job id.
  static func run(_ extra: [String], workers: Int = 1) throws -> Int64 {
    let db = ["DATABASE_URL": try TestEnvironment.databaseURL()]
    let enqueued = try ProcessRunner.run(
      "coordinator",
      ["enqueue", "eval-re", "--images", TestEnvironment.photos, "--idempotency-key", UUID().uuidString]
        + extra, environment: db)
    #expect(enqueued.status == 0, "\(enqueued.stderr)")
    let job = try #require(Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    let started = try (0..<workers).map { _ in
      try ProcessRunner.start(
        "worker", ["--exit-when-idle", "--concurrency", "2", "--kinds", "eval-re"], environment: db)
    }
    for (process, out, err) in started {
      let finished = ProcessRunner.finish(process, out, err)
      #expect(finished.status == 0, "\(finished.stderr)")
    }
    // A worker of a concurrent suite may still be running one of this job's shards when these
    // exit (`--exit-when-idle` leaves as soon as nothing is claimable): wait for the job's end.
    let waited = try ProcessRunner.run(
      "coordinator", ["wait", "\(job)", "--timeout", "300"], environment: db)
    #expect(waited.status != 2, "\(waited.stderr)")
    return job
  }

  static func report(_ job: Int64) throws -> [String: Any] {
    let db = ["DATABASE_URL": try TestEnvironment.databaseURL()]
    let result = try ProcessRunner.run(
      "coordinator", ["report", "\(job)", "--format", "json"], environment: db)
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
  }

  @Test func oracleScoresZeroOverTheWholePipeline() throws {
    let job = try Self.run(["--count", "3", "--model", "baseline:oracle"], workers: 2)
    let report = try Self.report(job)
    #expect(report["questions"] as? Int == 3 * 4096)
    #expect(report["unparsable"] as? Int == 0)
    #expect(report["re_percent"] as? Double == 0)
    #expect((report["images"] as? [Any])?.count == 3)
  }

  @Test func meanMatchesAnIndependentComputation() throws {
    let job = try Self.run(["--count", "4", "--model", "baseline:mean", "--images-per-shard", "3"])
    let report = try Self.report(job)
    // Independently: per image, the rounded mean colour of the Pillow target, then
    // RE = 100 * sum |mean - target| / (4096 * 3 * 255), averaged over images.
    var total = 0.0
    for (_, target) in try Self.targets(count: 4) {
      var sums = [0, 0, 0]
      for i in 0..<4096 { for c in 0..<3 { sums[c] += Int(target.pixels[i * 3 + c]) } }
      let mean = sums.map { Double($0) / 4096 }.map { Int(($0 + 0.5).rounded(.down)) }
      var error = 0
      for i in 0..<4096 { for c in 0..<3 { error += abs(Int(target.pixels[i * 3 + c]) - mean[c]) } }
      total += 100 * Double(error) / (4096 * 3 * 255)
    }
    let expected = total / 4
    let got = try #require(report["re_percent"] as? Double)
    #expect(abs(got - expected) < 1e-3, "report \(got), independent \(expected)")
    let sum = try #require(report["re_channel_sum_percent"] as? Double)
    #expect(abs(sum - 3 * expected) < 3e-3)
    // The references include baseline:mean itself only once (it is the model here).
    let references = try #require(report["references"] as? [[String: Any]])
    #expect(
      references.map { $0["model"] as? String } == [
        "baseline:thumbnail?k=4", "baseline:thumbnail?k=8", "baseline:thumbnail?k=16",
        "baseline:thumbnail?k=32",
      ])
  }

  @Test func exportHasEveryQuestionAndRenderWritesPNGs() throws {
    let job = try Self.run([
      "--count", "2", "--per-image", "100", "--seed", "5", "--model", "baseline:thumbnail?k=8",
    ])
    let db = ["DATABASE_URL": try TestEnvironment.databaseURL()]
    let exported = try ProcessRunner.run("coordinator", ["export", "\(job)"], environment: db)
    #expect(exported.status == 0, "\(exported.stderr)")
    let lines = exported.stdout.split(separator: "\n")
    #expect(lines.count == 200)
    // Recompute RE from the export and compare with the report.
    var error = 0
    for line in lines {
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let rgb = try #require(object["rgb"] as? [Int])
      let target = try #require(object["target"] as? [Int])
      error += zip(rgb, target).map { abs($0 - $1) }.reduce(0, +)
    }
    let fromExport = 100 * Double(error) / (200 * 3 * 255)
    let report = try Self.report(job)
    let reported = try #require(report["re_percent"] as? Double)
    #expect(abs(fromExport - reported) < 1e-6)

    let out = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pixelprobe-render-\(job)-\(getpid())")
    defer { try? FileManager.default.removeItem(at: out) }
    let rendered = try ProcessRunner.run(
      "coordinator", ["render", "\(job)", "--out", out.path], environment: db)
    #expect(rendered.status == 0, "\(rendered.stderr)")
    let first = try ImageDecoder.decodeFile(atPath: out.path + "/image-000.png")
    #expect(first.width == 3 * 256 + 2 * 8 && first.height == 256)
    let sheet = try ImageDecoder.decodeFile(atPath: out.path + "/contact-sheet.png")
    #expect(sheet.width == 2 * 128 + 4 && sheet.height == 3 * 128 + 2 * 2)
    let html = try String(contentsOfFile: out.path + "/index.html", encoding: .utf8)
    #expect(html.contains("image-001.png"))
  }

  @Test func deadShardsFailTheJobThenRetryAndCancelFromTheCommandLine() throws {
    let db = ["DATABASE_URL": try TestEnvironment.databaseURL()]
    // Nothing listens on port 1: every model call fails at once, one attempt per shard.
    let enqueued = try ProcessRunner.run(
      "coordinator",
      [
        "enqueue", "eval-re", "--images", TestEnvironment.photos, "--count", "2", "--per-image", "3",
        "--model", "openai:http://127.0.0.1:1/v1?model=m&retries=0&timeout=2", "--max-attempts", "1",
        "--idempotency-key", UUID().uuidString,
      ], environment: db)
    let job = try #require(Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    let worker = try ProcessRunner.run("worker", ["--exit-when-idle"], environment: db)
    #expect(worker.status == 0, "\(worker.stderr)")
    let waited = try ProcessRunner.run("coordinator", ["wait", "\(job)"], environment: db)
    #expect(waited.status == 1)
    #expect(waited.stderr.contains("failed") && waited.stderr.contains("127.0.0.1:1"), "\(waited.stderr)")

    let status = try ProcessRunner.run(
      "coordinator", ["status", "\(job)", "--format", "json"], environment: db)
    let jobs = try #require(
      try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
    #expect(jobs.first?["state"] as? String == "failed")
    #expect((jobs.first?["shards"] as? [String: Int])?["dead"] == 2)

    let retried = try ProcessRunner.run("coordinator", ["retry", "\(job)"], environment: db)
    #expect(retried.status == 0)
    #expect(retried.stderr.contains("2 shard(s) back to available"), "\(retried.stderr)")
    let cancelled = try ProcessRunner.run("coordinator", ["cancel", "\(job)"], environment: db)
    #expect(cancelled.status == 0, "\(cancelled.stderr)")
    let afterCancel = try ProcessRunner.run("coordinator", ["wait", "\(job)"], environment: db)
    #expect(afterCancel.status == 1)
    #expect(afterCancel.stderr.contains("cancelled"))
    // A cancelled job's shards are not claimed.
    let idle = try ProcessRunner.run("worker", ["--exit-when-idle"], environment: db)
    #expect(idle.status == 0)
    let after = try ProcessRunner.run(
      "coordinator", ["status", "\(job)", "--format", "json"], environment: db)
    #expect(after.stdout.contains("\"state\":\"cancelled\""))
  }

  @Test func compareShowsJobsSideBySide() throws {
    let oracle = try Self.run(["--count", "1", "--per-image", "50", "--model", "baseline:oracle"])
    let mean = try Self.run(["--count", "1", "--per-image", "50", "--model", "baseline:mean"])
    let db = ["DATABASE_URL": try TestEnvironment.databaseURL()]
    let result = try ProcessRunner.run("coordinator", ["compare", "\(oracle)", "\(mean)"], environment: db)
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n")
    let oracleLine = try #require(lines.first { $0.hasPrefix("\(oracle) ") })
    #expect(oracleLine.contains("baseline:oracle") && oracleLine.contains(" 0.00 "))
    #expect(lines.contains { $0.hasPrefix("\(mean) ") && $0.contains("baseline:mean") })
  }

  @Test func badInputIsRefusedAtEnqueue() throws {
    let db = ["DATABASE_URL": try TestEnvironment.databaseURL()]
    let garbage = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pixelprobe-\(UUID()).safetensors")
    try Data("not a safetensors file at all".utf8).write(to: garbage)
    defer { try? FileManager.default.removeItem(at: garbage) }
    let weights = try ProcessRunner.run(
      "coordinator",
      ["enqueue", "eval-re", "--images", TestEnvironment.photos, "--model", "native:\(garbage.path)"],
      environment: db)
    #expect(weights.status != 0)
    #expect(weights.stderr.contains("--model") && weights.stderr.contains(garbage.path), "\(weights.stderr)")
    let cases: [([String], String)] = [
      (["--images", TestEnvironment.photos, "--count", "500"], "fewer than --count 500"),
      (["--images", TestEnvironment.photos, "--model", "baseline:nonsense"], "--model"),
      (["--images", TestEnvironment.photos, "--model", "openai:http://h/v1"], "model=NAME"),
      (["--images", TestEnvironment.photos, "--per-image", "0"], "--per-image"),
    ]
    for (arguments, mention) in cases {
      let result = try ProcessRunner.run("coordinator", ["enqueue", "eval-re"] + arguments, environment: db)
      #expect(result.status != 0)
      #expect(result.stderr.contains(mention), "\(arguments): \(result.stderr)")
      #expect(result.stdout.isEmpty)
    }
  }
}
