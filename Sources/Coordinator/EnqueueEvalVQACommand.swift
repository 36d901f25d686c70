import ArgumentParser
import CommandSupport
import Model
import Pipeline
import Queue

struct EnqueueEvalVQACommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval-vqa",
    abstract: "The paper's VQA columns: top-1 accuracy on GQA, VSR, IconVQA, VizWiz or Hateful Memes.",
    discussion: """
      Reads a benchmark's evaluation file as its authors distribute it (--data; images under \
      --image-root): gqa testdev_balanced_questions.json (image <imageId>.jpg) | vsr the zero-shot \
      split's JSON Lines | iconvqa IconQA's problems.json (the test split's choose_txt problems; \
      image <problem id>/image.png) | vizwiz val.json | hm dev.jsonl. Prompts and scoring follow \
      MiniGPT-v2's released evaluation: the [vqa] task identifier and its instruction per \
      benchmark; answers normalised as the official VQA evaluation does (articles, punctuation, \
      number words); VizWiz min(annotators who gave the answer / 3, 1); VSR true/false and HM \
      yes/no accuracy; IconQA options matched by text, letter or index. MiniGPT-v2's literal \
      rule (lower-cased equality) is reported beside it. docs/eval-vqa.md has every rule.

      The subset: every question, or --limit N (the first N in file order; with --seed, N drawn \
      at random), recorded in the table vqa_questions. Questions are grouped by image: an image \
      is read, decoded and encoded once, in one shard. Every image is checked at enqueue.

      Models: baseline:prior (the benchmark's most frequent answer; "true"/"yes" for VSR/HM) | \
      baseline:oracle (the ground truth: 100%, or VizWiz's ceiling where annotators disagree) | \
      openai:BASE_URL?model=NAME&template=plain|minigptv2 | native:FILE.safetensors (the tiny \
      built-in model knows no language: it scores near chance).
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions

  @Option(help: "gqa, vsr, iconvqa, vizwiz or hm.")
  var benchmark: VQABenchmark
  @Option(help: "The benchmark's evaluation file (see above).")
  var data: String
  @Option(help: "Directory the file's image paths are relative to.")
  var imageRoot: String
  @Option(help: "Score at most N questions (default: all).")
  var limit: Int?
  @Option(help: "Draw the --limit questions at random with this seed (default: the first N in file order).")
  var seed: UInt64?
  @Option(help: "The model's URI.")
  var model: String = "baseline:prior"
  @Option(help: "About this many questions per shard (whole images: an image's questions share a shard).")
  var questionsPerShard: Int = 64
  @OptionGroup(title: "Queue") var job: JobOptions

  func run() throws {
    try reportingErrors("coordinator enqueue eval-vqa") {
      let logger = logging.makeLogger(label: "coordinator")
      var request = EvalVQARequest()
      request.benchmark = benchmark
      request.data = data
      request.imageRoot = imageRoot
      request.limit = limit
      request.seed = seed
      request.model = model
      request.questionsPerShard = questionsPerShard
      job.apply(to: &request)
      let plan = try EvalVQAJob.plan(request)
      let connection = try database.connect(logger: logger)
      let result = try EvalVQAJob.enqueue(
        plan, request: request, queue: WorkQueue(connection: connection), logger: logger)
      printError(
        result.created
          ? "coordinator: enqueued eval-vqa job \(result.jobID) (\(benchmark.title): \(plan.spec.questions) questions over \(plan.spec.images) images, \(result.shards) shards)"
          : "coordinator: the same job already exists: \(result.jobID)")
      print(result.jobID)
    }
  }
}
