import ArgumentParser
import Foundation
import Model
import Pipeline
import Shards

struct EvalREBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval-re",
    abstract:
      "The whole eval-re job, enqueue to report, with worker processes (the paper's 409,600 questions).",
    discussion: """
      Enqueues eval-re over --count images with --model, runs --workers worker processes with \
      --exit-when-idle, then `coordinator report`; prints each phase's wall time and the \
      pipeline's cost per question. Needs $DATABASE_URL (a migrated database) and release binaries.
      Peer: python3 bench/pillow_eval_re.py DIR COUNT K.
      """)

  @Option(help: "Image directory.") var images: String
  @Option(help: "Images.") var count: Int = 100
  @Option(help: "Model URI.") var model: String = "baseline:thumbnail?k=8"
  @Option(help: "Worker processes.") var workers: Int = 2
  @Option(help: "Shards run at once per worker.") var concurrency: Int = 1
  @Option(help: "Images per shard (5: 20 shards, 10 per worker, so both finish together).")
  var imagesPerShard: Int = 5
  @Option(help: "Shards each worker claims ahead of a free executor.") var prefetch: Int = 1
  @Flag(
    help:
      "Start the workers with the enqueue, waiting for its notification (as deployed workers do), instead of after it with --exit-when-idle."
  )
  var warmWorkers = false
  @Option(help: "Cells per image (default: all).") var perImage: Int?
  @Option(help: "Database URL (default $DATABASE_URL).") var databaseURL: String?
  @Flag(
    help:
      "Start a local fake-vlm server and put its URL where the model URI says FAKE (e.g. openai:FAKE?model=pixel&concurrency=32)."
  )
  var fakeServer = false
  @Flag(
    help:
      "Only time the per-image work in this process (planning records, then evaluating them), no database.")
  var inProcess = false

  func run() throws {
    if inProcess { return try runInProcess() }
    var model = model
    var server: Process?
    if fakeServer {
      let (process, port) = try Self.startFakeServer()
      server = process
      model = model.replacingOccurrences(of: "FAKE", with: "http://127.0.0.1:\(port)/v1")
    }
    defer { server?.terminate() }
    var run = DistributedRun(
      databaseURL: databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "",
      workers: workers)
    run.workerConcurrency = concurrency
    run.workerPrefetch = prefetch
    run.warmWorkers = warmWorkers
    var arguments = [
      "enqueue", "eval-re", "--images", images, "--count", "\(count)", "--model", model,
      "--images-per-shard", "\(imagesPerShard)", "--idempotency-key", "bench-\(UUID())",
    ]
    if let perImage { arguments += ["--per-image", "\(perImage)"] }
    let timing = try run.run(
      enqueueArguments: arguments, finish: { ["report", "\($0)", "--format", "json"] })
    let questions = count * (perImage ?? 4096)
    let report = try JSONSerialization.jsonObject(with: Data(timing.finishOutput.utf8)) as? [String: Any]
    print(
      "eval-re distributed: job \(timing.job), \(model), \(count) images, \(questions) questions, \(workers) \(warmWorkers ? "warm" : "cold") workers x \(concurrency), \(imagesPerShard) image(s) per shard, prefetch \(prefetch)"
    )
    print(
      String(
        format: "  enqueue %.3f s | workers %.3f s | report %.3f s | total %.3f s", timing.enqueue,
        timing.work, timing.finish, timing.total))
    print(
      String(
        format:
          "  %.2f us of wall time per question; all processes used %.3f s of CPU = %.2f us per question%@; RE %@ %%",
        timing.total * 1e6 / Double(questions), timing.totalCPU,
        timing.totalCPU * 1e6 / Double(questions),
        timing.workerCPU.map { String(format: " (workers %.3f s)", $0) } ?? "",
        "\(report?["re_percent"] ?? "?")"))
    print(String(format: "  workers: %.0f questions/s", Double(questions) / timing.work))
  }

  func runInProcess() throws {
    var request = EvalRERequest()
    request.images = images
    request.count = count
    request.model = model
    request.perImage = perImage
    let spec = try EvalREJob.plan(request)
    let clock = ContinuousClock()
    var records: [REImageInput] = []
    let planTime = try clock.measure {
      for n in 0..<spec.images.count { records.append(try EvalREJob.record(spec: spec, imageNumber: n)) }
    }
    let model = try ModelFactory.model(spec.model)
    let executor = EvalREExecutor()
    var rows = 0
    let workTime = try clock.measure {
      var cache = EvalREExecutor.QuestionCache()
      for record in records {
        rows += try executor.evaluate(
          record, spec: spec, model: model, shardName: "bench", questions: &cache
        ).1.count
      }
    }
    print("eval-re in process (1 thread), \(spec.questions) questions:")
    print(
      String(
        format: "  planning records (read, decode, target) %.3f s (%.2f ms per image)", planTime.seconds,
        planTime.seconds * 1000 / Double(records.count)))
    print(
      String(
        format:
          "  evaluating (decode, model, parse, references) %.3f s (%.2f ms per image, %.2f us per question)",
        workTime.seconds, workTime.seconds * 1000 / Double(records.count),
        workTime.seconds * 1e6 / Double(spec.questions)))
  }

  static func startFakeServer() throws -> (Process, Int) {
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let process = Process()
    process.executableURL = bin.appendingPathComponent("fake-vlm")
    process.arguments = ["--port", "0"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
      let byte = pipe.fileHandleForReading.readData(ofLength: 1)
      guard !byte.isEmpty else { break }
      line.append(byte)
    }
    guard
      let port = Int(
        String(decoding: line, as: UTF8.self).split(separator: " ").last?
          .trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
    else { throw ValidationError("fake-vlm did not start") }
    return (process, port)
  }
}
