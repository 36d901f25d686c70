import Foundation
import Imaging
import Queue
import Synchronization
import Testing

/// The hostile corpus: the broken and odd files of Tests/Fixtures/Imaging (made by its
/// make_fixtures.py, with what Pillow does with each in manifest.json), a few made here, and
/// files that are not files (a link to /dev/zero, a FIFO, a directory named like an image).
enum HostileCorpus {
  static let fixtures = TestEnvironment.repositoryRoot + "/Tests/Fixtures/Imaging"

  struct Broken {
    var name: String
    /// What the error must say besides the file name.
    var evalRE: String
    var genPVP: String
    /// Whether the damage is in the pixel data only (a valid header): gen-pvp's header check at
    /// enqueue lets such a file through, and the worker's decode fails its shard.
    var inDataOnly: Bool { Self.damagedDataOnly.contains(name) }

    static let damagedDataOnly: Set<String> = [
      "bad-zlib.png", "no-eoi.jpg", "truncated-progressive.jpg", "truncated.jpg", "truncated.png",
    ]
  }

  struct Valid {
    var name: String
    /// The image as Pillow's `open().convert('RGB')` sees it.
    var pillow: RGBImage
  }

  static func manifest() throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/manifest.json"))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
  }

  /// Every broken fixture (13: truncated, zero bytes, text named .jpg, bad CRC, headers claiming
  /// 60000 x 60000 and 100000 x 100000, ...) and three things that are not regular files.
  static func broken() throws -> [Broken] {
    let entries = try manifest()["broken"] as? [[String: Any]] ?? []
    var cases = entries.compactMap { entry -> Broken? in
      guard let file = entry["file"] as? String, let code = entry["code"] as? String else { return nil }
      return Broken(name: file, evalRE: ": \(code): ", genPVP: ": \(code): ")
    }
    cases += [
      Broken(name: "link-to-dev-zero.jpg", evalRE: "cannot be read", genPVP: ": io: not a regular file"),
      Broken(name: "fifo.jpg", evalRE: "cannot be read", genPVP: ": io: not a regular file"),
      Broken(name: "directory.png", evalRE: "cannot be read", genPVP: ": io: is a directory"),
    ]
    return cases
  }

  /// Odd but valid images: 16-bit, CMYK and YCCK, palette with transparency, EXIF-rotated (not
  /// applied, as Pillow's open+convert does not), 1-bit, interlaced, a bad IDAT CRC and a missing
  /// IEND (both accepted by Pillow), plus a 1 x 1 and a 3000 x 1 image made here.
  static func valid() throws -> [Valid] {
    let wanted = [
      "cmyk.jpg", "ycck.jpg", "exif-rotated.jpg", "gray16.png", "rgb16.png", "rgba16.png",
      "gray-alpha16.png", "palette4-trns.png", "palette2-short.png", "gray1.png",
      "gray2-interlaced.png", "idat-bad-crc.png", "no-iend.png", "rgb-colorspace.jpg",
      "optimized-restart.jpg",
    ]
    let entries = try manifest()["decode"] as? [[String: Any]] ?? []
    var cases: [Valid] = try entries.compactMap { entry in
      guard let file = entry["file"] as? String, wanted.contains(file),
        let width = entry["width"] as? Int, let height = entry["height"] as? Int,
        let rgb = entry["rgb"] as? String
      else { return nil }
      let pixels = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/expected/" + rgb))
      return Valid(name: file, pillow: RGBImage(width: width, height: height, pixels: [UInt8](pixels)))
    }
    cases.append(Valid(name: "one-pixel.png", pillow: RGBImage(width: 1, height: 1, pixels: [200, 30, 90])))
    var strip: [UInt8] = []
    for x in 0..<3000 {
      let red = UInt8(x % 256)
      strip += [red, UInt8((x / 12) % 256), 255 - red]
    }
    cases.append(Valid(name: "strip-3000x1.png", pillow: RGBImage(width: 3000, height: 1, pixels: strip)))
    return cases
  }

  /// Puts `name` into `directory`: a fixture file, one of the made images, or a special file.
  static func place(_ name: String, in directory: String) throws {
    let path = directory + "/" + name
    let manager = FileManager.default
    switch name {
    case "link-to-dev-zero.jpg":
      try manager.createSymbolicLink(atPath: path, withDestinationPath: "/dev/zero")
    case "fifo.jpg":
      guard mkfifo(path, 0o644) == 0 else { throw FaultError("mkfifo \(path): errno \(errno)") }
    case "directory.png":
      try manager.createDirectory(atPath: path, withIntermediateDirectories: false)
    case "one-pixel.png", "strip-3000x1.png":
      let image = try valid().first { $0.name == name }!.pillow
      try Data(try PNGEncoder.encode(image)).write(to: URL(fileURLWithPath: path))
    default:
      try manager.copyItem(atPath: fixtures + "/files/" + name, toPath: path)
    }
  }

  /// A fresh directory holding `names`.
  static func directory(_ names: [String]) throws -> String {
    let directory = NSTemporaryDirectory() + "pixelprobe-hostile-\(getpid())-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for name in names { try place(name, in: directory) }
    return directory
  }
}

/// The hostile corpus through the real `coordinator enqueue` and `worker` processes: every file
/// gets its documented behaviour and a one-line message naming it; nothing crashes or hangs.
@Suite(.serialized) struct HostileInputTests {
  var db: [String: String] { get throws { ["DATABASE_URL": try PrivateDatabase.hostile.url()] } }

  static func report(_ job: Int64) throws -> [String: Any] {
    let result = try ProcessRunner.run(
      "coordinator", ["report", "\(job)", "--format", "json"],
      environment: ["DATABASE_URL": try PrivateDatabase.hostile.url()])
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
  }

  /// Enqueues eval-re with `arguments` and runs it to its end with one worker; returns the job.
  static func runEvalRE(_ arguments: [String]) throws -> Int64 {
    let db = ["DATABASE_URL": try PrivateDatabase.hostile.url()]
    let enqueued = try ProcessRunner.run(
      "coordinator", ["enqueue", "eval-re", "--idempotency-key", UUID().uuidString] + arguments,
      environment: db)
    let job = try #require(
      Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(enqueued.stderr)")
    let worker = try ProcessRunner.run("worker", ["--exit-when-idle", "--concurrency", "2"], environment: db)
    #expect(worker.status == 0, "\(worker.stderr)")
    return job
  }

  /// eval-re decodes at enqueue: a broken image refuses the whole enqueue (one transaction:
  /// nothing is stored), naming the file and why.
  @Test func evalREEnqueueRefusesEachBrokenFileNamingIt() throws {
    let cases = try HostileCorpus.broken()
    #expect(cases.count >= 16)
    for item in cases {
      let directory = try HostileCorpus.directory([item.name])
      defer { try? FileManager.default.removeItem(atPath: directory) }
      try Self.expectRefused(
        ["enqueue", "eval-re", "--images", directory, "--count", "1"], naming: item.name,
        mentions: [item.evalRE])
    }
  }

  /// Runs `arguments` with a fresh idempotency key and expects a refusal: exit 1, nothing on
  /// stdout, one line on stderr naming `name` with each of `mentions`, no job stored.
  static func expectRefused(_ arguments: [String], naming name: String, mentions: [String]) throws {
    let key = "hostile-\(UUID().uuidString)"
    let result = try ProcessRunner.run(
      "coordinator", arguments + ["--idempotency-key", key],
      environment: ["DATABASE_URL": try PrivateDatabase.hostile.url()])
    #expect(result.status == 1, "\(name)")
    #expect(result.stdout.isEmpty)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(name): \(result.stderr)")
    #expect(
      result.stderr.contains(name) && mentions.allSatisfy { result.stderr.contains($0) }, "\(result.stderr)")
    let stored = try PrivateDatabase.hostile.connect().query(
      "SELECT count(*) FROM jobs WHERE idempotency_key = $1", [.text(key)])
    #expect(stored.int(0, 0) == 0)
  }

  /// gen-pvp checks every image's header at enqueue: a file that is not an image, is cut before
  /// its pixels or claims too many pixels refuses the whole enqueue in one line naming it, and
  /// nothing is stored; `--skip-bad-images` leaves such files out, listing each.
  @Test func genPVPEnqueueRefusesEachBadHeaderNamingIt() throws {
    let cases = try HostileCorpus.broken().filter { !$0.inDataOnly }
    #expect(cases.count == 11)
    for item in cases {
      let directory = try HostileCorpus.directory([item.name, "one-pixel.png"])
      defer { try? FileManager.default.removeItem(atPath: directory) }
      try Self.expectRefused(
        ["enqueue", "gen-pvp", "--images", directory, "--questions", "6"],
        naming: directory + "/" + item.name,
        mentions: [item.genPVP, "--skip-bad-images"])
    }

    // All of them at once with --skip-bad-images: each is listed, the two good images are kept.
    let directory = try HostileCorpus.directory(cases.map(\.name) + ["one-pixel.png", "cmyk.jpg"])
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let refused = try ProcessRunner.run(
      "coordinator", ["enqueue", "gen-pvp", "--images", directory, "--questions", "6"], environment: try db)
    #expect(refused.status == 1 && refused.stderr.contains("and \(cases.count - 1) more bad images"))
    let result = try ProcessRunner.run(
      "coordinator",
      [
        "enqueue", "gen-pvp", "--images", directory, "--questions", "40", "--skip-bad-images",
        "--idempotency-key", "skip-\(UUID().uuidString)",
      ], environment: try db)
    #expect(result.status == 0, "\(result.stderr)")
    let job = try #require(Int64(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    let skipped = result.stderr.split(separator: "\n").filter { $0.contains("skipped bad image: ") }
    #expect(skipped.count == cases.count, "\(result.stderr)")
    for item in cases {
      #expect(
        skipped.contains { $0.contains(directory + "/" + item.name) && $0.contains(item.genPVP) },
        "\(item.name) is not listed")
    }
    #expect(result.stderr.contains("\(cases.count) bad images left out, 2 kept"))
    let worker = try ProcessRunner.run("worker", ["--exit-when-idle"], environment: try db)
    #expect(worker.status == 0, "\(worker.stderr)")
    let exported = try ProcessRunner.run("coordinator", ["export", "\(job)"], environment: try db)
    let images = Set(
      try exported.stdout.split(separator: "\n").map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["image"]
          as? String
      })
    #expect(images == ["one-pixel.png", "cmyk.jpg"])
  }

  /// Files whose header is sound are accepted at enqueue: a shard holding one whose pixel data
  /// is damaged dies at its first attempt (not retryable) with the file and the reason; odd but
  /// valid images give Pillow's colours.
  @Test func genPVPWorkersGiveEachFileItsDocumentedOutcome() throws {
    let broken = try HostileCorpus.broken().filter(\.inDataOnly)
    let valid = try HostileCorpus.valid()
    #expect(broken.count == 5 && valid.count == 17)
    var jobs: [(name: String, job: Int64, directory: String)] = []
    defer { for entry in jobs { try? FileManager.default.removeItem(atPath: entry.directory) } }
    for name in broken.map(\.name) + valid.map(\.name) {
      let directory = try HostileCorpus.directory([name])
      let result = try ProcessRunner.run(
        "coordinator",
        [
          "enqueue", "gen-pvp", "--images", directory, "--questions", "6", "--shard-size", "6",
          "--idempotency-key", "hostile-\(UUID().uuidString)",
        ], environment: try db)
      let job = try #require(
        Int64(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(result.stderr)")
      jobs.append((name, job, directory))
    }
    let workers = try (0..<2).map { _ in
      try ProcessRunner.start("worker", ["--exit-when-idle", "--concurrency", "2"], environment: try db)
    }
    for (process, out, err) in workers {
      let finished = ProcessRunner.finish(process, out, err)
      #expect(finished.status == 0, "\(finished.stderr)")
    }
    let connection = try PrivateDatabase.hostile.connect()
    for entry in jobs {
      let rows = try connection.query(
        """
        SELECT j.state, s.state, s.attempt, s.error FROM jobs j JOIN shards s ON s.job_id = j.id
        WHERE j.id = $1
        """, [.int(entry.job)])
      if let item = broken.first(where: { $0.name == entry.name }) {
        #expect(rows.string(0, 0) == "failed" && rows.string(0, 1) == "dead", "\(entry.name)")
        #expect(rows.int(0, 2) == 1, "\(entry.name): a broken image is not retried")
        let error = rows.string(0, 3) ?? ""
        #expect(
          error.hasPrefix("bad-image: ") && error.contains(entry.directory + "/" + entry.name)
            && error.contains(item.genPVP), "\(entry.name): \(error)")
        #expect(!error.contains("\n"))
      } else {
        #expect(rows.string(0, 0) == "succeeded", "\(entry.name): \(rows.string(0, 3) ?? "")")
        let pillow = try #require(valid.first { $0.name == entry.name }).pillow
        let target = Resampler.bicubic(pillow, width: 64, height: 64)
        let exported = try ProcessRunner.run("coordinator", ["export", "\(entry.job)"], environment: try db)
        let lines = exported.stdout.split(separator: "\n")
        #expect(lines.count == 6)
        for line in lines {
          let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
          let row = try #require(object["row"] as? Int)
          let col = try #require(object["col"] as? Int)
          let (r, g, b) = target[row, col]
          #expect(object["answer"] as? String == "[\(r),\(g),\(b)]", "\(entry.name) (\(row), \(col))")
        }
      }
    }
  }

  /// The same odd images through eval-re with the oracle: RE 0, and every exported target is
  /// Pillow's.
  @Test func oddButValidImagesGoThroughEvalREWithPillowsTargets() throws {
    let valid = try HostileCorpus.valid()
    let directory = try HostileCorpus.directory(valid.map(\.name))
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let job = try Self.runEvalRE(
      [
        "--images", directory, "--count", "\(valid.count)", "--per-image", "40", "--seed", "3", "--model",
        "baseline:oracle",
      ])
    let report = try Self.report(job)
    #expect(report["re_percent"] as? Double == 0 && report["unparsable"] as? Int == 0)
    let exported = try ProcessRunner.run("coordinator", ["export", "\(job)"], environment: try db)
    var checked = 0
    for line in exported.stdout.split(separator: "\n") {
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let name = try #require(object["image"] as? String)
      let pillow = try #require(valid.first { $0.name == name }).pillow
      let (r, g, b) = Resampler.bicubic(pillow, width: 64, height: 64)[
        try #require(object["row"] as? Int), try #require(object["col"] as? Int)]
      #expect(object["target"] as? [Int] == [Int(r), Int(g), Int(b)], "\(name)")
      checked += 1
    }
    #expect(checked == valid.count * 40)
  }

  /// A model that answers with malformed text: each answer is kept as it came, the strict parser
  /// accepts exactly the three well-formed ones, and the rest count as unparsable.
  @Test func malformedModelAnswersAreKeptAndCountedAsUnparsable() throws {
    let server = try FakeVLMProcess()
    let job = try Self.runEvalRE(
      [
        "--images", TestEnvironment.photos, "--count", "2", "--per-image", "60", "--seed", "11", "--model",
        server.model("adversarial", options: "concurrency=4"),
      ])
    let exported = try ProcessRunner.run("coordinator", ["export", "\(job)"], environment: try db)
    let variants = FakeVLMAnswers.adversarial
    var unparsable = 0
    var lines = 0
    // JSONDecoder, not JSONSerialization, which drops a leading U+FEFF from strings.
    struct Line: Decodable {
      var row: Int
      var col: Int
      var answer: String
      var rgb: [Int]?
    }
    for line in exported.stdout.split(separator: "\n") {
      let object = try JSONDecoder().decode(Line.self, from: Data(line.utf8))
      let (answer, valid) = variants[(object.row * 64 + object.col) % variants.count]
      #expect(object.answer == answer, "(\(object.row), \(object.col))")
      if valid {
        #expect(object.rgb == [1, 2, 3])
      } else {
        #expect(object.rgb == nil)
        unparsable += 1
      }
      lines += 1
    }
    #expect(lines == 120)
    let report = try Self.report(job)
    #expect(report["unparsable"] as? Int == unparsable)
    #expect(unparsable > 60)
  }

  /// A file name made of quotes, semicolons, `$()`, backslashes and non-ASCII passes through
  /// enqueue, workers and export unchanged, and nothing is executed.
  @Test func aFileNameFullOfSQLAndShellMetacharactersPassesThroughIntact() throws {
    let name = #"it's "quoted"; DROP TABLE jobs; -- $(touch pwned) `id` \back\slash ünï 🙂.jpg"#
    let directory = NSTemporaryDirectory() + "pixelprobe-meta-\(getpid())-\(UUID().uuidString.prefix(6))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try FileManager.default.copyItem(
      atPath: TestEnvironment.photos + "/opencv-apple.jpg", toPath: directory + "/" + name)

    let evalJob = try Self.runEvalRE(
      ["--images", directory, "--count", "1", "--per-image", "5", "--model", "baseline:mean"])
    let evalExport = try ProcessRunner.run("coordinator", ["export", "\(evalJob)"], environment: try db)
    let evalNames = try evalExport.stdout.split(separator: "\n").map { line in
      try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["image"]
        as? String
    }
    #expect(evalNames.count == 5 && evalNames.allSatisfy { $0 == name })
    let report = try Self.report(evalJob)
    #expect((report["images"] as? [[String: Any]])?.first?["image"] as? String == name)

    let enqueued = try ProcessRunner.run(
      "coordinator",
      [
        "enqueue", "gen-pvp", "--images", directory, "--questions", "4", "--shard-size", "2",
        "--idempotency-key", "meta-\(UUID().uuidString)",
      ], environment: try db)
    let pvpJob = try #require(Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    let worker = try ProcessRunner.run("worker", ["--exit-when-idle"], environment: try db)
    #expect(worker.status == 0, "\(worker.stderr)")
    for format in ["jsonl", "minigpt"] {
      let exported = try ProcessRunner.run(
        "coordinator", ["export", "\(pvpJob)", "--format", format], environment: try db)
      #expect(exported.status == 0, "\(exported.stderr)")
      let text =
        format == "jsonl"
        ? "[" + exported.stdout.split(separator: "\n").joined(separator: ",") + "]" : exported.stdout
      let objects = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
      #expect(objects.count == 4)
      #expect(objects.allSatisfy { $0["image"] as? String == name }, "\(format)")
    }
    #expect(!FileManager.default.fileExists(atPath: directory + "/pwned"))
    #expect(!FileManager.default.fileExists(atPath: FileManager.default.currentDirectoryPath + "/pwned"))
    #expect(
      try PrivateDatabase.hostile.connect().query("SELECT to_regclass('jobs') IS NOT NULL").bool(0, 0) == true
    )
  }
}

extension HostileInputTests {
  /// `coordinator prune` on this suite's database: a dry run changes nothing, a real run removes
  /// every finished job and its blobs, a bad age is refused.
  @Test func pruneRemovesFinishedJobsAndTheirBlobs() throws {
    _ = try Self.runEvalRE([
      "--images", TestEnvironment.photos, "--count", "1", "--per-image", "3", "--model", "baseline:mean",
    ])
    let connection = try PrivateDatabase.hostile.connect()
    let before = try connection.query("SELECT count(*) FROM jobs WHERE state <> 'running'").int(0, 0) ?? 0
    #expect(before >= 1)
    let dry = try ProcessRunner.run(
      "coordinator", ["prune", "--older-than", "0s", "--dry-run", "--format", "json"], environment: try db)
    #expect(dry.status == 0, "\(dry.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])
    #expect(report["dry_run"] as? Bool == true && report["jobs"] as? Int == before)
    #expect(try connection.query("SELECT count(*) FROM jobs WHERE state <> 'running'").int(0, 0) == before)
    let real = try ProcessRunner.run(
      "coordinator", ["prune", "--older-than", "0s", "--vacuum"], environment: try db)
    #expect(
      real.status == 0 && real.stdout.hasPrefix("deleted \(before) job(s)"), "\(real.stdout) \(real.stderr)")
    #expect(try connection.query("SELECT count(*) FROM jobs WHERE state <> 'running'").int(0, 0) == 0)
    #expect(
      try connection.query(
        "SELECT count(*) FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM shards s WHERE s.input_digest = b.digest OR s.output_digest = b.digest)"
      ).int(0, 0) == 0)
    let bad = try ProcessRunner.run("coordinator", ["prune", "--older-than", "5x"], environment: try db)
    #expect(bad.status != 0 && bad.stderr.contains("--older-than"))
  }
}

/// The fake server's adversarial answers and whether the strict parser must accept each (the
/// server's list, `FakeVLM/FakeVLMServer.swift`, in the same order).
enum FakeVLMAnswers {
  static let adversarial: [(String, Bool)] = [
    ("[1,2,3]", true), ("[1,2,3,4]", false), ("[256,0,0]", false), ("[-1,0,0]", false),
    (" [1,2,3]\n", true), ("1,2,3", false), ("[1, 2, 3]", false), ("[\u{661},\u{662},\u{663}]", false),
    ("[0x1,2,3]", false), ("", false), (String(repeating: "[", count: 100_000), false),
    ("[1,2,3]\u{0}", false), ("[001,002,003]", true), ("\u{200B}[1,2,3]", false),
    ("[\u{FF11},\u{FF12},\u{FF13}]", false), ("[1,2,3] [4,5,6]", false), ("\u{FEFF}[1,2,3]", false),
    ("[1,2,3]'; DROP TABLE jobs; --", false),
  ]
}
