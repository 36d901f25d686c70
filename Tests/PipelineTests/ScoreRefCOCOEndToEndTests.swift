import Foundation
import Imaging
import Queue
import Refer
import Testing

/// score-refcoco through the real `coordinator` and `worker` processes on data/refer-mini, checked
/// against figures computed here from the Pillow-written expected masks and summary.json.
@Suite(.serialized) struct ScoreRefCOCOEndToEndTests {
  static let fixture = [
    "--refer-root", ReferMini.root, "--image-root", ReferMini.images, "--datasets", "refcoco:unc",
  ]

  static var environment: [String: String] {
    get throws { ["DATABASE_URL": try TestEnvironment.databaseURL()] }
  }

  /// Enqueues with a fresh idempotency key; returns the job id.
  static func enqueue(_ extra: [String], key: String = UUID().uuidString) throws -> Int64 {
    let enqueued = try ProcessRunner.run(
      "coordinator",
      ["enqueue", "score-refcoco"] + fixture + ["--idempotency-key", key] + extra,
      environment: try environment)
    #expect(enqueued.status == 0, "\(enqueued.stderr)")
    return try #require(Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
  }

  /// Runs a job to its end with `workers` worker processes. They claim score-refcoco shards only,
  /// so they never hold another suite's shard while that suite's own workers go idle.
  static func run(_ extra: [String], workers: Int = 2) throws -> Int64 {
    let job = try enqueue(extra)
    let started = try (0..<workers).map { _ in
      try ProcessRunner.start(
        "worker", ["--exit-when-idle", "--concurrency", "1", "--kinds", "score-refcoco"],
        environment: try environment)
    }
    for (process, out, err) in started {
      let finished = ProcessRunner.finish(process, out, err)
      #expect(finished.status == 0, "\(finished.stderr)")
    }
    let waited = try ProcessRunner.run(
      "coordinator", ["wait", "\(job)", "--timeout", "120"], environment: try environment)
    #expect(waited.status == 0, "\(waited.stderr)")
    return job
  }

  static func report(_ job: Int64) throws -> [String: Any] {
    let result = try ProcessRunner.run(
      "coordinator", ["report", "\(job)", "--format", "json"], environment: try environment)
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
  }

  struct Sentence {
    var split: String
    var refID: Int
    var sentID: Int
    var annotation: Int
  }

  /// The recorded subset, in job order.
  static func subset(_ job: Int64) throws -> [Sentence] {
    let rows = try TestEnvironment.connect().query(
      "SELECT split, ref_id, sent_id, ann_id FROM refcoco_subsets WHERE job_id = $1 ORDER BY ordinal",
      [.int(job)])
    return (0..<rows.count).map {
      Sentence(
        split: rows.string($0, 0) ?? "", refID: rows.int($0, 1) ?? -1, sentID: rows.int($0, 2) ?? -1,
        annotation: rows.int($0, 3) ?? -1)
    }
  }

  /// Per split (in first-seen order): summed intersection and union, and the per-sentence IoUs.
  struct Expected {
    var splits: [String] = []
    var sums: [String: (i: Int, u: Int)] = [:]
    var ious: [String: [Double]] = [:]
    var hits: [String: [Bool]] = [:]

    mutating func add(_ split: String, _ overlap: (intersection: Int, union: Int), hit: Bool) {
      if sums[split] == nil { splits.append(split) }
      let sum = sums[split] ?? (0, 0)
      sums[split] = (sum.i + overlap.intersection, sum.u + overlap.union)
      ious[split, default: []].append(
        overlap.union == 0 ? 1 : Double(overlap.intersection) / Double(overlap.union))
      hits[split, default: []].append(hit)
    }

    func ciou(_ split: String) -> Double { Double(sums[split]!.i) / Double(sums[split]!.u) }
    func giou(_ split: String) -> Double { ious[split]!.reduce(0, +) / Double(ious[split]!.count) }
    func recAccuracy(_ split: String) -> Double {
      Double(hits[split]!.filter { $0 }.count) / Double(hits[split]!.count)
    }
    var averageCIoU: Double { splits.map(ciou).reduce(0, +) / Double(splits.count) }
  }

  /// Checks the report's splits against `expected`, to 1e-12.
  static func check(_ report: [String: Any], against expected: Expected) throws {
    let splits = try #require(report["splits"] as? [[String: Any]])
    #expect(splits.map { $0["split"] as? String } == expected.splits)
    for split in splits {
      let name = try #require(split["split"] as? String)
      let ciou = try #require(split["ciou"] as? Double)
      let giou = try #require(split["giou"] as? Double)
      let rec = try #require(split["rec_acc"] as? Double)
      #expect(split["intersection"] as? Int == expected.sums[name]?.i, "\(name)")
      #expect(split["union"] as? Int == expected.sums[name]?.u, "\(name)")
      #expect(
        abs(ciou - expected.ciou(name)) < 1e-12, "\(name): report \(ciou), expected \(expected.ciou(name))")
      #expect(
        abs(giou - expected.giou(name)) < 1e-12, "\(name): report \(giou), expected \(expected.giou(name))")
      #expect(abs(rec - expected.recAccuracy(name)) < 1e-12, "\(name)")
    }
    let average = try #require(report["avg_ciou"] as? Double)
    #expect(abs(average - expected.averageCIoU) < 1e-12)
  }

  /// The oracle asking every cell reaches the grid's ceiling: the 64 x 64 NEAREST ground truth,
  /// upsampled with NEAREST, against the full mask.
  @Test(arguments: ["full", "gt"])
  func oracleReachesTheGridCeiling(_ box: String) throws {
    let job = try Self.run(
      [
        "--splits", "refcoco:val,refcoco:testA,refcoco:testB", "--per-split", "5", "--box", box,
        "--model", "baseline:oracle", "--sentences-per-shard", "4",
      ])
    var expected = Expected()
    for sentence in try Self.subset(job) {
      let overlap = ReferMini.overlap(
        grid: try ReferMini.gridMask(sentence.annotation, keeping: nil),
        truth: try ReferMini.mask(sentence.annotation))
      expected.add(sentence.split, overlap, hit: true)
    }
    let report = try Self.report(job)
    try Self.check(report, against: expected)
    #expect(report["sentences"] as? Int == 15)
    #expect(report["unparsable"] as? Int == 0)
    // Every cell of the grid is asked with --box full; with gt, only those of the box.
    let questions = try #require(report["questions"] as? Int)
    if box == "full" {
      #expect(questions == 15 * (1 + 64 * 64))
    } else {
      var cells = 0
      for sentence in try Self.subset(job) {
        let a = try #require(ReferMini.summary[sentence.annotation])
        cells += 1 + ReferMini.cellsInBox(a.box, width: a.width, height: a.height, grid: 64).count
      }
      #expect(questions == cells)
    }
  }

  /// With the model's box, the oracle's box is the true box after MiniGPT-v2's 0..100
  /// truncation, and only the cells inside it are asked.
  @Test func oracleWithItsOwnBoxLosesTheTruncatedEdges() throws {
    let job = try Self.run(
      [
        "--splits", "refcoco:testB,refcoco:val", "--per-split", "4", "--model", "baseline:oracle", "--seed",
        "3",
      ])
    var expected = Expected()
    var questions = 0
    for sentence in try Self.subset(job) {
      let a = try #require(ReferMini.summary[sentence.annotation])
      let box = ReferMini.quantised(a.box, width: a.width, height: a.height)
      let cells = ReferMini.cellsInBox(box, width: a.width, height: a.height, grid: 64)
      questions += 1 + cells.count
      let overlap = ReferMini.overlap(
        grid: try ReferMini.gridMask(sentence.annotation, keeping: cells),
        truth: try ReferMini.mask(sentence.annotation))
      expected.add(sentence.split, overlap, hit: ReferMini.boxIoU(box, a.box) > 0.5)
    }
    let report = try Self.report(job)
    try Self.check(report, against: expected)
    #expect(report["questions"] as? Int == questions)
    #expect(expected.splits == ["testB", "val"])
  }

  /// baseline:box with the ground-truth box: the mask is every cell inside the box.
  @Test func boxBaselineMasksTheWholeBox() throws {
    let job = try Self.run(
      [
        "--splits", "refcoco:testA,refcoco:testB", "--per-split", "6", "--box", "gt", "--model",
        "baseline:box",
      ])
    var expected = Expected()
    for sentence in try Self.subset(job) {
      let a = try #require(ReferMini.summary[sentence.annotation])
      let cells = ReferMini.cellsInBox(a.box, width: a.width, height: a.height, grid: 64)
      let grid = GrayImage(width: 64, height: 64, pixels: (0..<4096).map { cells.contains($0) ? 255 : 0 })
      let overlap = ReferMini.overlap(grid: grid, truth: try ReferMini.mask(sentence.annotation))
      let answer = ReferMini.quantised(a.box, width: a.width, height: a.height)
      expected.add(sentence.split, overlap, hit: ReferMini.boxIoU(answer, a.box) > 0.5)
    }
    try Self.check(try Self.report(job), against: expected)
  }

  /// The openai backend sends both prompts with the image: fake-vlm answers `[refer]` with a
  /// fixed box and `[segmentation]` with 1 where row + col is even.
  @Test func openAIBackendAsksTheBoxThenTheCellsInIt() throws {
    let (server, out, err) = try ProcessRunner.start("fake-vlm", ["--port", "0"])
    defer {
      server.terminate()
      _ = ProcessRunner.finish(server, out, err)
    }
    var greeting = Data()
    while !greeting.contains(UInt8(ascii: "\n")) {
      let chunk = out.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      greeting.append(chunk)
    }
    let port = try #require(
      String(decoding: greeting, as: UTF8.self).split(separator: " ").last.flatMap {
        Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
      })
    let job = try Self.run(
      [
        "--splits", "refcoco:val,refcoco:testB", "--per-split", "2", "--grid", "8", "--model",
        "openai:http://127.0.0.1:\(port)/v1?model=refer&concurrency=4",
      ], workers: 1)
    var expected = Expected()
    var questions = 0
    for sentence in try Self.subset(job) {
      let a = try #require(ReferMini.summary[sentence.annotation])
      let (w, h) = (Double(a.width), Double(a.height))
      let box = (x1: 10.0 / 100 * w, y1: 20.0 / 100 * h, x2: 60.0 / 100 * w, y2: 80.0 / 100 * h)
      let cells = ReferMini.cellsInBox(box, width: a.width, height: a.height, grid: 8)
      questions += 1 + cells.count
      let grid = GrayImage(
        width: 8, height: 8,
        pixels: (0..<64).map { cells.contains($0) && ($0 / 8 + $0 % 8) % 2 == 0 ? 1 : 0 })
      let overlap = ReferMini.overlap(grid: grid, truth: try ReferMini.mask(sentence.annotation))
      expected.add(sentence.split, overlap, hit: ReferMini.boxIoU(box, a.box) > 0.5)
    }
    let report = try Self.report(job)
    try Self.check(report, against: expected)
    #expect(report["questions"] as? Int == questions)
    #expect(report["unparsable"] as? Int == 0)
  }

  /// The export holds every scored sentence with its pixel counts and boxes; cIoU recomputed from
  /// it matches the report. Render writes decodable PNGs in the Fig. 4 layout.
  @Test func exportRecomputesTheReportAndRenderDraws() throws {
    let job = try Self.run(
      [
        "--splits", "refcoco:val,refcoco:testA", "--per-split", "3", "--model", "baseline:box", "--seed", "9",
      ],
      workers: 1)
    let exported = try ProcessRunner.run(
      "coordinator", ["export", "\(job)"], environment: try Self.environment)
    #expect(exported.status == 0, "\(exported.stderr)")
    let lines = exported.stdout.split(separator: "\n")
    #expect(lines.count == 6)
    var sums: [String: (Int, Int)] = [:]
    let subset = try Self.subset(job)
    for (n, line) in lines.enumerated() {
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let split = try #require(object["split"] as? String)
      #expect(object["dataset"] as? String == "refcoco")
      #expect(object["ref_id"] as? Int == subset[n].refID)
      #expect(object["sent_id"] as? Int == subset[n].sentID)
      let truth = try #require(object["gt_box"] as? [Double])
      let a = try #require(ReferMini.summary[subset[n].annotation])
      // Foundation's JSON parser may be off in the last digit.
      #expect(zip(truth, [a.box.x1, a.box.y1, a.box.x2, a.box.y2]).allSatisfy { abs($0 - $1) < 1e-9 })
      #expect((object["pred_box"] as? [Double])?.count == 4)
      let sum = sums[split] ?? (0, 0)
      sums[split] = (sum.0 + (object["intersection"] as? Int ?? -1), sum.1 + (object["union"] as? Int ?? -1))
    }
    let report = try Self.report(job)
    for split in try #require(report["splits"] as? [[String: Any]]) {
      let name = try #require(split["split"] as? String)
      let sum = try #require(sums[name])
      let ciou = try #require(split["ciou"] as? Double)
      #expect(abs(ciou - Double(sum.0) / Double(sum.1)) < 1e-12)
    }

    let text = try ProcessRunner.run("coordinator", ["report", "\(job)"], environment: try Self.environment)
    #expect(text.stdout.contains("Table 3"))
    #expect(text.stdout.contains("RefCOCO"))

    let out = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pixelprobe-refcoco-\(job)-\(getpid())")
    defer { try? FileManager.default.removeItem(at: out) }
    let rendered = try ProcessRunner.run(
      "coordinator", ["render", "\(job)", "--out", out.path], environment: try Self.environment)
    #expect(rendered.status == 0, "\(rendered.stderr)")
    let files = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".png") }
    #expect(files.count == 6)
    for file in files {
      let picture = try ImageDecoder.decodeFile(atPath: out.path + "/" + file)
      // Three 320-pixel-wide panels (500-pixel images scaled by 0.64) with two 8-pixel gaps.
      #expect(picture.width == 3 * 320 + 2 * 8)
      #expect(picture.height == 216 || picture.height == 240)
    }
    let html = try String(contentsOfFile: out.path + "/index.html", encoding: .utf8)
    #expect(html.contains("sentence-0000.png"))
  }

  /// The subset is a pure function of the seed, recorded in the database, and equal to the
  /// documented sampler's choice.
  @Test func seededSubsetIsStableAndRecorded() throws {
    let arguments = ["--splits", "refcoco:testA,refcoco:testB", "--per-split", "3", "--seed", "11"]
    let first = try Self.enqueue(arguments)
    let second = try Self.enqueue(arguments)
    #expect(first != second)
    let a = try Self.subset(first)
    let b = try Self.subset(second)
    #expect(
      a.map { "\($0.split)/\($0.refID)/\($0.sentID)" } == b.map { "\($0.split)/\($0.refID)/\($0.sentID)" })
    let dataset = try ReferDataset.load(root: ReferMini.root, dataset: "refcoco", splitBy: "unc")
    let sampled = try ["testA", "testB"].flatMap { split in
      try SentenceSampler.sample(dataset, split: split, count: 3, seed: 11).map {
        "\(split)/\($0.refID)/\($0.sentID)"
      }
    }
    #expect(a.map { "\($0.split)/\($0.refID)/\($0.sentID)" } == sampled)
    // The report lists the same subset, per split.
    let listed = try #require(try Self.report(first)["splits"] as? [[String: Any]]).flatMap { split in
      (split["subset"] as? [[Int]] ?? []).map { "\(split["split"] as? String ?? "")/\($0[0])/\($0[1])" }
    }
    #expect(listed == sampled)
    let other = try Self.subset(
      try Self.enqueue(["--splits", "refcoco:testA,refcoco:testB", "--per-split", "3", "--seed", "12"]))
    #expect(other.map(\.sentID) != a.map(\.sentID))
    // The same spec and key is the same job, and its subset is not written twice.
    let key = UUID().uuidString
    let once = try Self.enqueue(arguments, key: key)
    #expect(try Self.enqueue(arguments, key: key) == once)
    #expect(try Self.subset(once).count == 6)
  }

  @Test func badInputIsRefusedAtEnqueueAndNothingIsStored() throws {
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("pixelprobe-empty-\(getpid())")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: empty) }
    let valid = ["--splits", "refcoco:val", "--per-split", "2"]
    let cases: [([String], String)] = [
      (
        ["--refer-root", empty.path, "--image-root", ReferMini.images, "--datasets", "refcoco:unc"] + valid,
        "refcoco/instances.json: file not found"
      ),
      (
        ["--refer-root", ReferMini.root, "--image-root", ReferMini.images, "--datasets", "refcoco:google"]
          + valid,
        "refs(google).p: file not found"
      ),
      (Self.fixture + ["--splits", "refcoco:test", "--per-split", "2"], "no sentences in split 'test'"),
      (Self.fixture + ["--splits", "refcoco:val", "--per-split", "6"], "has 5 sentences, 6 requested"),
      (
        ["--refer-root", ReferMini.root, "--image-root", empty.path, "--datasets", "refcoco:unc"] + valid,
        "is missing under --image-root"
      ),
      (Self.fixture + ["--splits", "refcoco+:val"], "not in --datasets"),
      (Self.fixture + ["--splits", "refcoco-val"], "is not DATASET:SPLIT"),
      (
        ["--refer-root", ReferMini.root, "--image-root", ReferMini.images, "--datasets", "refcoco"] + valid,
        "is not DATASET:SPLITBY"
      ),
      (Self.fixture + valid + ["--model", "baseline:mean"], "--model"),
      (Self.fixture + valid + ["--box", "tight"], "--box"),
      (Self.fixture + ["--per-split", "0"], "--per-split"),
    ]
    for (arguments, mention) in cases {
      let key = UUID().uuidString
      let result = try ProcessRunner.run(
        "coordinator", ["enqueue", "score-refcoco", "--idempotency-key", key] + arguments,
        environment: try Self.environment)
      #expect(result.status != 0, "\(arguments)")
      #expect(result.stderr.contains(mention), "\(arguments): \(result.stderr)")
      #expect(result.stdout.isEmpty)
      let lines = result.stderr.split(separator: "\n").filter { !$0.isEmpty }
      #expect(lines.count == 1 || mention == "--box", "\(result.stderr)")
      let stored = try TestEnvironment.connect().query(
        "SELECT count(*) FROM jobs WHERE idempotency_key = $1", [.text(key)])
      #expect(stored.int(0, 0) == 0)
    }
  }
}
