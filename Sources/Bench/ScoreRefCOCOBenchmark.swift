import ArgumentParser
import Foundation
import Model
import Pipeline

struct ScoreRefCOCOBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "score-refcoco",
    abstract: "score-refcoco on a refer-layout dataset: questions per sentence by --box, and sentences/s.",
    discussion: """
      Runs the job twice the way users do (coordinator enqueue, --workers worker processes with \
      --exit-when-idle, coordinator report), once with --box model and once with --box full, and \
      prints the questions asked per sentence and the cIoU of each; then times the per-sentence \
      work in this process (decode, questions, answers, upsampled overlap) without the database. \
      Needs $DATABASE_URL (a migrated database) and release binaries. Defaults fit data/refer-mini.
      """)

  @Option(help: "Directory with <dataset>/instances.json and refs(<splitBy>).p.")
  var referRoot = "data/refer-mini"
  @Option(help: "Image directory.") var imageRoot = "data/refer-mini/images"
  @Option(help: "Datasets (DATASET:SPLITBY,...).") var datasets = "refcoco:unc"
  @Option(help: "Splits (DATASET:SPLIT,...).") var splits = "refcoco:val,refcoco:testA,refcoco:testB"
  @Option(help: "Sentences per split.") var perSplit = 5
  @Option(help: "Model URI.") var model = "baseline:oracle"
  @Option(help: "Worker processes.") var workers = 2
  @Option(help: "Sentences per shard.") var sentencesPerShard = 2
  @Option(help: "In-process passes over the sentences.") var passes = 20
  @Option(help: "Database URL (default $DATABASE_URL).") var databaseURL: String?

  func run() throws {
    let run = DistributedRun(
      databaseURL: databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "",
      workers: workers)
    print(
      "score-refcoco distributed: \(model), \(splits), \(perSplit) sentences per split, \(workers) workers")
    for box in ["model", "full"] {
      let arguments = [
        "enqueue", "score-refcoco", "--refer-root", referRoot, "--image-root", imageRoot,
        "--datasets", datasets, "--splits", splits, "--per-split", "\(perSplit)", "--model", model,
        "--box", box, "--sentences-per-shard", "\(sentencesPerShard)", "--idempotency-key", "bench-\(UUID())",
      ]
      let timing = try run.run(
        enqueueArguments: arguments, finish: { ["report", "\($0)", "--format", "json"] })
      let report =
        try JSONSerialization.jsonObject(with: Data(timing.finishOutput.utf8)) as? [String: Any] ?? [:]
      let sentences = report["sentences"] as? Int ?? 0
      let questions = report["questions"] as? Int ?? 0
      let ciou = (report["avg_ciou"] as? Double).map { String(format: "%.2f", $0 * 100) } ?? "-"
      print(
        "  --box \(box): \(sentences) sentences, "
          + String(format: "%.1f", Double(questions) / Double(max(1, sentences)))
          + " questions per sentence, avg cIoU \(ciou) %")
      print(
        String(
          format: "    enqueue %.3f s | workers %.3f s (%.1f sentences/s, %.0f questions/s) | report %.3f s",
          timing.enqueue, timing.work, Double(sentences) / timing.work, Double(questions) / timing.work,
          timing.finish))
    }
    try runInProcess()
  }

  /// The worker's per-sentence work, one thread, no database or shards.
  func runInProcess() throws {
    var request = ScoreRefCOCORequest()
    request.referRoot = referRoot
    request.imageRoot = imageRoot
    request.datasets = datasets
    request.splits = splits
    request.perSplit = perSplit
    request.model = model
    let plan = try ScoreRefCOCOJob.plan(request)
    let records = try (0..<plan.spec.shardCount).flatMap {
      try ScoreRefCOCOJob.records(plan: plan, shard: $0)
    }
    let executor = ScoreRefCOCOExecutor()
    let languageModel = try ModelFactory.model(model)
    let clock = ContinuousClock()
    print("score-refcoco in process (1 thread, \(model)):")
    for box in [RefBoxMode.model, .full] {
      var spec = plan.spec
      spec.box = box
      var sentences = 0
      var questions = 0
      let time = try clock.measure {
        for _ in 0..<passes {
          for record in records {
            for (output, _) in try executor.score(
              record, spec: spec, model: languageModel, shardName: "bench")
            {
              sentences += 1
              questions += 1 + output.cells.count
            }
          }
        }
      }
      print(
        "  --box \(box.rawValue): "
          + String(
            format:
              "%.3f ms per sentence (%.0f sentences/s, %.1f questions per sentence, %.2f us per question)",
            time.seconds * 1000 / Double(sentences), Double(sentences) / time.seconds,
            Double(questions) / Double(sentences), time.seconds * 1e6 / Double(questions)))
    }
  }
}
