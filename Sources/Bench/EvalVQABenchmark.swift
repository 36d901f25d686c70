import ArgumentParser
import Foundation

struct EvalVQABenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval-vqa",
    abstract: "eval-vqa at GQA testdev's scale: questions/s and pipeline CPU per question, prior and openai.",
    discussion: """
      Writes a GQA-layout file (testdev_balanced_questions.json) of --questions questions, \
      --per-image about each of the first images of --images (GQA testdev: 12,578 questions about \
      398 images, 31.6 per image), then runs the job the way users do (coordinator enqueue, \
      --workers worker processes with --exit-when-idle, coordinator report) with baseline:prior \
      and with the openai backend against a local fake-vlm server (`vqa` model, answers at once) \
      at --openai-concurrency. Prints questions/s over the workers' wall time and the CPU seconds \
      of the workers and of the enqueue per question. A corpus of distinct photos: python3 \
      bench/make_corpus.py DIR 398. Needs $DATABASE_URL (a migrated database) and release binaries.
      """)

  @Option(help: "Image directory (JPEG/PNG, the first ones by name are used).") var images = "data/photos"
  @Option(help: "Questions in the file.") var questions = 12_578
  @Option(help: "Questions per image.") var perImage = 32
  @Option(help: "Worker processes.") var workers = 2
  @Option(help: "Shards run at once per worker.") var concurrency = 1
  @Option(help: "Questions per shard.") var questionsPerShard = 64
  @Option(help: "The openai backend's concurrency= (requests in flight per shard).") var openaiConcurrency =
    32
  @Option(help: "Where the benchmark file goes.") var work = NSTemporaryDirectory() + "pp-bench-vqa"
  @Option(help: "Database URL (default $DATABASE_URL).") var databaseURL: String?

  func run() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: images)
      .filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }.sorted()
    let needed = (questions + perImage - 1) / perImage
    guard names.count >= needed else {
      throw ValidationError(
        "--images \(images) has \(names.count) images, \(needed) needed for \(questions) questions at \(perImage) per image (python3 bench/make_corpus.py DIR \(needed))"
      )
    }
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    // GQA names images <imageId>.jpg: link each chosen image under that name.
    let root = work + "/images"
    try? FileManager.default.removeItem(atPath: root)
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    var entries: [String] = []
    for image in 0..<needed {
      let id = String(format: "img%06d", image)
      let source =
        (images as NSString).isAbsolutePath ? images : FileManager.default.currentDirectoryPath + "/" + images
      try FileManager.default.createSymbolicLink(
        atPath: root + "/" + id + ".jpg", withDestinationPath: source + "/" + names[image])
      for k in 0..<min(perImage, questions - image * perImage) {
        let answer = k % 3 == 0 ? "yes" : k % 3 == 1 ? "no" : "object \(k)"
        entries.append(
          #""\#(20_000_000 + entries.count)":{"imageId":"\#(id)","question":"Question \#(k) about \#(id)?","answer":"\#(answer)","types":{"structural":"\#(k % 3 == 2 ? "query" : "verify")"}}"#
        )
      }
    }
    let data = work + "/testdev_balanced_questions.json"
    try ("{" + entries.joined(separator: ",") + "}").write(toFile: data, atomically: true, encoding: .utf8)

    let (server, port) = try EvalREBenchmark.startFakeServer()
    defer { server.terminate() }
    var run = DistributedRun(
      databaseURL: databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "", workers: workers)
    run.workerConcurrency = concurrency
    print(
      "eval-vqa: GQA layout, \(questions) questions about \(needed) images (\(perImage) per image), \(workers) workers x \(concurrency), \(questionsPerShard) questions per shard"
    )
    let models = [
      "baseline:prior",
      "openai:http://127.0.0.1:\(port)/v1?model=vqa&concurrency=\(openaiConcurrency)",
    ]
    for model in models {
      let timing = try run.run(
        enqueueArguments: [
          "enqueue", "eval-vqa", "--benchmark", "gqa", "--data", data, "--image-root", root, "--model", model,
          "--questions-per-shard", "\(questionsPerShard)", "--idempotency-key", "bench-\(UUID())",
        ], finish: { ["report", "\($0)", "--format", "json"] })
      let report =
        try JSONSerialization.jsonObject(with: Data(timing.finishOutput.utf8)) as? [String: Any] ?? [:]
      let scored = report["questions"] as? Int ?? 0
      let accuracy = (report["accuracy_percent"] as? Double).map { String(format: "%.2f", $0) } ?? "-"
      print(
        "  \(model.hasPrefix("openai") ? "openai (fake-vlm, concurrency=\(openaiConcurrency))" : model): \(scored) questions, accuracy \(accuracy) %"
      )
      let enqueueCPU = timing.totalCPU - (timing.workerCPU ?? 0)
      print(
        String(
          format:
            "    enqueue %.2f s | workers %.2f s: %.0f questions/s, %.1f us worker CPU per question | enqueue + report CPU %.1f us per question | peak RSS %d MB",
          timing.enqueue, timing.work, Double(scored) / timing.work,
          (timing.workerCPU ?? 0) * 1e6 / Double(max(1, scored)), enqueueCPU * 1e6 / Double(max(1, scored)),
          timing.peakChildRSS))
    }
  }
}
