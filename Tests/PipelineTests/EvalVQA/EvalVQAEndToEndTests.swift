import Foundation
import Queue
import Testing

/// eval-vqa through the real `coordinator` and `worker` processes on the data/vqa fixtures, with
/// accuracies checked against figures counted from the fixture files (VQAFixture) and by hand.
@Suite(.serialized) struct EvalVQAEndToEndTests {
  static var environment: [String: String] {
    get throws { ["DATABASE_URL": try TestEnvironment.databaseURL()] }
  }

  static func enqueue(_ benchmark: String, model: String, extra: [String] = []) throws -> Int64 {
    let fixture = try #require(VQAFixture.benchmarks.first { $0.name == benchmark })
    let enqueued = try ProcessRunner.run(
      "coordinator",
      [
        "enqueue", "eval-vqa", "--benchmark", benchmark, "--data", fixture.data, "--image-root",
        fixture.images, "--model", model, "--idempotency-key", UUID().uuidString,
      ] + extra, environment: try environment)
    #expect(enqueued.status == 0, "\(enqueued.stderr)")
    return try #require(Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
  }

  /// Runs two eval-vqa workers until nothing is left, then waits for each job.
  static func drain(_ jobs: [Int64]) throws {
    let started = try (0..<2).map { _ in
      try ProcessRunner.start(
        "worker", ["--exit-when-idle", "--concurrency", "2", "--kinds", "eval-vqa"],
        environment: try environment)
    }
    for (process, out, err) in started {
      let finished = ProcessRunner.finish(process, out, err)
      #expect(finished.status == 0, "\(finished.stderr)")
    }
    for job in jobs {
      let waited = try ProcessRunner.run(
        "coordinator", ["wait", "\(job)", "--timeout", "120"], environment: try environment)
      #expect(waited.status == 0, "\(waited.stderr)")
    }
  }

  static func report(_ job: Int64) throws -> [String: Any] {
    let result = try ProcessRunner.run(
      "coordinator", ["report", "\(job)", "--format", "json"], environment: try environment)
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
  }

  static func accuracy(_ job: Int64) throws -> Double {
    try #require(try report(job)["accuracy_percent"] as? Double)
  }

  @Test func oracleAndPriorOnEveryBenchmark() throws {
    let names = VQAFixture.benchmarks.map(\.name)
    var oracle: [String: Int64] = [:]
    var prior: [String: Int64] = [:]
    for name in names {
      oracle[name] = try Self.enqueue(name, model: "baseline:oracle")
      prior[name] = try Self.enqueue(name, model: "baseline:prior")
    }
    try Self.drain(Array(oracle.values) + Array(prior.values))
    for name in names {
      let report = try Self.report(oracle[name]!)
      #expect(report["benchmark"] as? String == name)
      #expect(report["questions"] as? Int == VQAFixture.questionCount(name), "\(name)")
      #expect(report["unparsable"] as? Int == 0, "\(name)")
      // VizWiz's oracle scores its ceiling: on one question only 2 of 10 annotators agree.
      let ceiling = name == "vizwiz" ? 100 * (17 + 2.0 / 3) / 18 : 100
      #expect(abs((report["accuracy_percent"] as? Double ?? -1) - ceiling) < 1e-9, "\(name) oracle")
      let expected = VQAFixture.priorAccuracy(name)
      #expect(abs(try Self.accuracy(prior[name]!) - expected) < 1e-9, "\(name) prior")
    }
    // The same figures by hand: GQA 8 "yes" of 24, VSR 12 true of 24, IconQA 5 of 12 at index 0,
    // HM 5 hateful of 20, VizWiz (4 + 5/3) / 18 for "unanswerable".
    let byHand = [
      "gqa": 100 * 8.0 / 24, "vsr": 50, "iconvqa": 100 * 5.0 / 12, "hm": 25,
      "vizwiz": 100 * (4 + 5.0 / 3) / 18,
    ]
    for (name, value) in byHand {
      #expect(abs(VQAFixture.priorAccuracy(name) - value) < 1e-9, "\(name) by hand")
    }
    // Every question is exported with its raw answer and score.
    let export = try ProcessRunner.run(
      "coordinator", ["export", "\(oracle["iconvqa"]!)", "--format", "jsonl"],
      environment: try Self.environment)
    #expect(export.status == 0, "\(export.stderr)")
    let rows = export.stdout.split(separator: "\n").compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
    #expect(rows.count == 12)
    #expect(rows.map { $0["ordinal"] as? Int ?? -1 } == Array(0..<12))
    #expect(rows.allSatisfy { $0["score"] as? Double == 1 && ($0["answer"] as? String)?.isEmpty == false })
    #expect(rows.first?["question_id"] as? String == "100" && rows.first?["answer"] as? String == "circle")
  }

  @Test func openaiBackendAgainstTheTestServer() throws {
    let server = try FakeVLMProcess()
    let model = server.model("vqa", options: "concurrency=4")
    let vsr = try Self.enqueue("vsr", model: model)
    let iconqa = try Self.enqueue("iconvqa", model: model, extra: ["--questions-per-shard", "3"])
    let gqa = try Self.enqueue(
      "gqa", model: model + "&template=minigptv2", extra: ["--limit", "10", "--seed", "7"])
    try Self.drain([vsr, iconqa, gqa])
    // The server answers "True." (true after normalisation), "(A)" and "Yes".
    #expect(abs(try Self.accuracy(vsr) - 50) < 1e-9)
    #expect(try Self.report(vsr)["exact_accuracy_percent"] as? Double == 0)
    #expect(abs(try Self.accuracy(iconqa) - 100 * 5.0 / 12) < 1e-9)
    let subset = try Self.report(gqa)
    #expect(subset["questions"] as? Int == 10 && subset["seed"] as? Int == 7)
    // The chosen ten, as recorded, decide the figure.
    let connection = try TestEnvironment.connect()
    let yes = try connection.query(
      "SELECT count(*) FROM vqa_questions WHERE job_id = $1 AND answers->>0 = 'yes'", [.int(gqa)]
    ).int(0, 0)
    #expect(abs((subset["accuracy_percent"] as? Double ?? -1) - Double(try #require(yes)) * 10) < 1e-9)
  }

  @Test func table2AssemblesARowPerModelFromThreeKinds() throws {
    let env = try Self.environment
    let re = try ProcessRunner.run(
      "coordinator",
      [
        "enqueue", "eval-re", "--images", TestEnvironment.photos, "--count", "1", "--model",
        "baseline:oracle",
        "--idempotency-key", UUID().uuidString,
      ], environment: env)
    let refcoco = try ProcessRunner.run(
      "coordinator",
      [
        "enqueue", "score-refcoco", "--refer-root", ReferMini.root, "--image-root", ReferMini.images,
        "--datasets", "refcoco:unc", "--per-split", "5", "--model", "baseline:oracle", "--idempotency-key",
        UUID().uuidString,
      ], environment: env)
    #expect(re.status == 0 && refcoco.status == 0, "\(re.stderr) \(refcoco.stderr)")
    let reJob = try #require(Int64(re.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    let refJob = try #require(Int64(refcoco.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    let vqa = try ["gqa", "vizwiz"].map { try Self.enqueue($0, model: "baseline:oracle") }
    let prior = try Self.enqueue("gqa", model: "baseline:prior")
    for kind in ["eval-re", "score-refcoco"] {
      let worker = try ProcessRunner.run(
        "worker", ["--exit-when-idle", "--concurrency", "2", "--kinds", kind], environment: env)
      #expect(worker.status == 0, "\(worker.stderr)")
    }
    try Self.drain([reJob, refJob] + vqa + [prior])
    let rec = try ProcessRunner.run(
      "coordinator", ["report", "\(refJob)", "--format", "json"], environment: env)
    let recAverage = try #require(
      (try JSONSerialization.jsonObject(with: Data(rec.stdout.utf8)) as? [String: Any])?["avg_rec_acc"]
        as? Double)
    let compared = try ProcessRunner.run(
      "coordinator", ["compare", "--table", "2", "\(reJob)", "\(refJob)"] + (vqa + [prior]).map(String.init),
      environment: env)
    #expect(compared.status == 0, "\(compared.stderr)")
    let lines = compared.stdout.split(separator: "\n").map(String.init)
    let oracleRow = try #require(lines.first { $0.hasPrefix("baseline:oracle ") })
    let cells = oracleRow.split(separator: " ").map(String.init)
    // MODEL RE REC GQA VSR IconVQA VizWiz HM
    #expect(
      cells == [
        "baseline:oracle", "0.00", String(format: "%.2f", recAverage * 100), "100.00", "-", "-", "98.15", "-",
      ])
    let priorRow = try #require(lines.first { $0.hasPrefix("baseline:prior ") })
    #expect(
      priorRow.split(separator: " ").map(String.init) == [
        "baseline:prior", "-", "-", "33.33", "-", "-", "-", "-",
      ])
    #expect(
      lines.contains {
        $0.hasPrefix("paper Table 2: ViT adapted") && $0.contains("6.65") && $0.contains("53.22")
      })
    // Two jobs for one column is an error naming both.
    let twice = try ProcessRunner.run(
      "coordinator", ["compare", "--table", "2", "\(vqa[0])", "\(vqa[0])"], environment: env)
    #expect(twice.status != 0 && twice.stderr.contains("job \(vqa[0])"))
  }
}
