import Foundation
import Imaging
import Pipeline
import Queue
import Testing

@Suite(.serialized) struct GenPVPEndToEndTests {
  /// The Pillow-made 64x64 targets shipped with the photos, keyed by photo file name.
  static func targets() throws -> [String: RGBImage] {
    var targets: [String: RGBImage] = [:]
    for photo in try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.photos)
    where photo.hasSuffix(".jpg") || photo.hasSuffix(".png") {
      let stem = (photo as NSString).deletingPathExtension
      targets[photo] = try ImageDecoder.decodeFile(
        atPath: TestEnvironment.photos64 + "/" + stem + ".png")
    }
    return targets
  }

  @Test func twoWorkerProcessesAnswerEveryQuestionWithItsTarget() throws {
    let url = try TestEnvironment.databaseURL()
    let db = ["DATABASE_URL": url]
    let enqueueArguments = [
      "enqueue", "gen-pvp", "--images", TestEnvironment.photos, "--questions", "3000",
      "--shard-size", "250", "--seed", "11",
    ]
    let enqueued = try ProcessRunner.run("coordinator", enqueueArguments, environment: db)
    #expect(enqueued.status == 0, "\(enqueued.stderr)")
    let job = try #require(Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))

    // The same specification again: the same job, nothing new.
    let again = try ProcessRunner.run("coordinator", enqueueArguments, environment: db)
    #expect(again.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(job)")

    let workers = try (1...2).map { n in
      try ProcessRunner.start(
        "worker",
        ["--exit-when-idle", "--concurrency", "1", "--kinds", "gen-pvp", "--name", "test-worker-\(n)"],
        environment: db)
    }
    for (process, out, err) in workers {
      let finished = ProcessRunner.finish(process, out, err)
      #expect(finished.status == 0, "\(finished.stderr)")
    }
    let waited = try ProcessRunner.run("coordinator", ["wait", "\(job)"], environment: db)
    #expect(waited.status == 0, "\(waited.stderr)")

    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pixelprobe-export-\(job)-\(getpid()).jsonl")
    defer { try? FileManager.default.removeItem(at: file) }
    let exported = try ProcessRunner.run(
      "coordinator", ["export", "\(job)", "--format", "jsonl", "--out", file.path], environment: db)
    #expect(exported.status == 0, "\(exported.stderr)")

    let targets = try Self.targets()
    let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 3000)
    var indices: [Int] = []
    for line in lines {
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let index = try #require(object["index"] as? Int)
      let image = try #require(object["image"] as? String)
      let row = try #require(object["row"] as? Int)
      let col = try #require(object["col"] as? Int)
      let target = try #require(targets[image])
      let (r, g, b) = target[row, col]
      #expect(object["answer"] as? String == "[\(r),\(g),\(b)]")
      #expect(object["question"] as? String == "[reconstruct] loc: [\(row),\(col)] rgb: ")
      indices.append(index)
    }
    #expect(indices == Array(0..<3000))
    // The pinned questions, as the sampler and Pillow defined them before planning by image.
    for (index, image, row, col, rgb) in GenPVPPlannerTests.pinnedPhotos {
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(lines[Int(index)].utf8)) as? [String: Any])
      #expect(object["index"] as? Int == Int(index))
      #expect(object["image"] as? String == image)
      #expect(object["row"] as? Int == Int(row) && object["col"] as? Int == Int(col))
      #expect(object["answer"] as? String == "[\(rgb[0]),\(rgb[1]),\(rgb[2])]")
    }

    // Every shard completed exactly once, and the per-shard rows add up.
    let connection = try TestEnvironment.connect()
    let completions = try connection.query(
      """
      SELECT count(*), count(DISTINCT idx) FROM shard_attempts
      WHERE job_id = $1 AND outcome = 'completed'
      """, [.int(job)])
    var request = GenPVPRequest()
    request.imageDirectory = TestEnvironment.photos
    (request.questions, request.shardSize, request.seed) = (3000, 250, 11)
    let shards = try GenPVPJob.plan(request).shardCount
    #expect(shards >= 12 && shards <= 24)
    #expect(completions.int(0, 0) == shards)
    #expect(completions.int(0, 1) == shards)
    let totals = try connection.query(
      "SELECT sum(questions) FROM pvp_shard_stats WHERE job_id = $1", [.int(job)])
    #expect(totals.int(0, 0) == 3000)
  }

  @Test func captionCorpusWithAFileStoreExportsForMiniGPT() throws {
    let db = ["DATABASE_URL": try TestEnvironment.databaseURL()]
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pixelprobe-cap-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    // Three caption rows over two photos: the first photo is drawn twice as often.
    let captions = dir.appendingPathComponent("captions.json")
    try Data(
      """
      [{"image": "opencv-apple.jpg", "caption": "an apple", "image_id": 1},
       {"image": "skimage-coffee.png", "caption": "coffee", "image_id": 2},
       {"image": "opencv-apple.jpg", "caption": "a red apple", "image_id": 1}]
      """.utf8
    ).write(to: captions)
    let store = dir.appendingPathComponent("blobs")
    let enqueued = try ProcessRunner.run(
      "coordinator",
      [
        "enqueue", "gen-pvp", "--captions", captions.path, "--image-root", TestEnvironment.photos,
        "--questions", "600", "--shard-size", "200", "--store", "file://\(store.path)",
        "--loc-order", "xy",
      ], environment: db)
    #expect(enqueued.status == 0, "\(enqueued.stderr)")
    let job = try #require(Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    let worker = try ProcessRunner.run("worker", ["--exit-when-idle", "--kinds", "gen-pvp"], environment: db)
    #expect(worker.status == 0, "\(worker.stderr)")
    // The blobs are files in the store, not rows.
    let files = FileManager.default.enumerator(atPath: store.path)?.allObjects.count ?? 0
    #expect(files >= 6)

    let exported = try ProcessRunner.run(
      "coordinator", ["export", "\(job)", "--format", "minigpt"], environment: db)
    #expect(exported.status == 0, "\(exported.stderr)")
    let samples = try #require(
      try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? [[String: String]])
    #expect(samples.count == 600)
    let targets = try Self.targets()
    var apples = 0
    for sample in samples {
      let image = try #require(sample["image"])
      if image == "opencv-apple.jpg" { apples += 1 }
      // `<Img><ImageHere></Img> [reconstruct] loc: [col,row] rgb: ` (xy order was asked for).
      let instruction = try #require(sample["instruction_input"])
      #expect(instruction.hasPrefix("<Img><ImageHere></Img> [reconstruct] loc: ["))
      let numbers = instruction.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
      let (col, row) = (numbers[0], numbers[1])
      let (r, g, b) = try #require(targets[image])[row, col]
      #expect(sample["answer"] == "[\(r),\(g),\(b)]")
    }
    // Exported in question order: the pinned questions are where the sampler put them.
    for (index, image, row, col, rgb) in GenPVPPlannerTests.pinnedCaptions {
      let sample = samples[Int(index)]
      #expect(sample["image"] == image)
      #expect(sample["instruction_input"]?.contains("loc: [\(col),\(row)] rgb: ") == true)
      #expect(sample["answer"] == "[\(rgb[0]),\(rgb[1]),\(rgb[2])]")
    }
    // Two of three slots are the apple: about 400 of 600 questions.
    #expect((340...460).contains(apples), "\(apples)")
  }

  @Test func badInputGivesOneLineErrorsAndEnqueuesNothing() throws {
    let url = try TestEnvironment.databaseURL()
    let db = ["DATABASE_URL": url]
    let connection = try TestEnvironment.connect()
    let before = try connection.query("SELECT count(*) FROM jobs").int(0, 0)

    let cases: [([String], String)] = [
      (["enqueue", "gen-pvp", "--images", "/nonexistent", "--questions", "5"], "/nonexistent"),
      (["enqueue", "gen-pvp", "--images", TestEnvironment.photos, "--questions", "0"], "--questions"),
      (["enqueue", "gen-nothing"], "gen-nothing"),
      (["enqueue", "gen-pvp", "--images", TestEnvironment.photos, "--bogus"], "--bogus"),
    ]
    // Negative numbers are values, refused by the option's name and the value given.
    let numbers: [([String], String)] = [
      (["--questions", "-5"], "--questions: must be between 1 and 4294967295 (got -5)"),
      (["--questions", "4294967296"], "--questions: must be between 1 and 4294967295 (got 4294967296)"),
      (["--shard-size", "-1"], "--shard-size: must be at least 1 (got -1)"),
      (["--grid", "-3"], "--grid: must be between 1 and 4096 (got -3)"),
      (["--max-pixels", "-1"], "--max-pixels: must be at least 1 (got -1)"),
      (["--max-attempts", "-1"], "--max-attempts: must be at least 1 (got -1)"),
      (["--lease-seconds", "-2"], "--lease-seconds: must be at least 1 (got -2)"),
      (["--seed", "-5"], "'-5' is invalid for '--seed"),
    ].map { (["enqueue", "gen-pvp", "--images", TestEnvironment.photos] + $0.0, $0.1) }
    for (arguments, mention) in cases + numbers {
      let result = try ProcessRunner.run("coordinator", arguments, environment: db)
      #expect(result.status != 0, "\(arguments) succeeded")
      #expect(result.stdout.isEmpty)
      #expect(result.stderr.contains(mention), "\(arguments): \(result.stderr)")
      #expect(!result.stderr.contains("Missing value"), "\(arguments): \(result.stderr)")
    }
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pixelprobe-empty-\(getpid())")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: empty) }
    let emptyRun = try ProcessRunner.run(
      "coordinator", ["enqueue", "gen-pvp", "--images", empty.path], environment: db)
    #expect(emptyRun.status != 0)
    #expect(emptyRun.stderr.contains("no .jpg"))

    let after = try connection.query("SELECT count(*) FROM jobs").int(0, 0)
    #expect(before == after)
  }

  @Test func aDatabaseThatIsDownIsNamedWithoutThePassword() throws {
    let result = try ProcessRunner.run(
      "coordinator",
      ["enqueue", "gen-pvp", "--images", TestEnvironment.photos, "--questions", "5"],
      environment: [
        "DATABASE_URL":
          "postgresql://alice:s3cretpw@127.0.0.1:1/pixelprobe?connect_timeout=1",
        "PIXELPROBE_CONNECT_ATTEMPTS": "3",
      ])
    #expect(result.status != 0)
    #expect(!result.stderr.contains("s3cretpw"))
    // Retries are logged below the default level: the user sees one line naming the target.
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(result.stderr)")
    #expect(result.stderr.contains("after 3 attempt"))
    let last = try #require(lines.last)
    #expect(last.hasPrefix("coordinator enqueue gen-pvp: error:"))
    #expect(last.contains("127.0.0.1") && last.contains("port=1") && last.contains("user=alice"))
  }
}
