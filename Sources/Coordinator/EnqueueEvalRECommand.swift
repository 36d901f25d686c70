import ArgumentParser
import CommandSupport
import Model
import Pipeline
import Queue

struct EnqueueEvalRECommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval-re",
    abstract: "Reconstruction-error evaluation: ask a model the colour of every grid cell.",
    discussion: """
      The paper's evaluation: 100 images x 64 x 64 cells = 409,600 questions \
      `[reconstruct] loc: [row,col] rgb: `, answered `[r,g,b]`. RE = 100 x mean over pixels and \
      channels of |pred - gt| / 255. Input shards carry the image bytes and targets, so workers \
      need only the database. Every report also scores baseline:mean and thumbnails k = 4, 8, \
      16, 32 on the same cells.
      Models: baseline:mean | baseline:thumbnail?k=K | baseline:oracle | native:FILE.safetensors | \
      native:random?seed=S&size=tiny | openai:BASE_URL?model=NAME&template=minigptv2|plain&concurrency=N
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions

  @Option(help: "Directory of evaluation images (JPEG/PNG).")
  var images: String?
  @Option(help: "How many images (the first N in name order unless --seed picks).")
  var count: Int = 100
  @Option(help: "Seed: picks the images at random, and the cells with --per-image.")
  var seed: UInt64?
  @Option(help: "Grid size.")
  var grid: Int = 64
  @Option(help: "Ask K sampled cells per image instead of all of them.")
  var perImage: Int?
  @Option(help: "The model's URI.")
  var model: String = "baseline:thumbnail?k=8"
  @Option(help: "Coordinate order in the question: yx (row first) or xy.")
  var locOrder: LocOrder = .yx
  @Option(help: "An unparsable answer counts as the worst error (worst) or is left out (skip).")
  var onUnparsable: UnparsablePolicy = .worst
  @Option(help: "Images per shard.")
  var imagesPerShard: Int = 1
  @Option(help: "Questions per model call.")
  var batch: Int = 4096
  @OptionGroup(title: "Queue") var job: JobOptions

  func run() throws {
    try reportingErrors("coordinator enqueue eval-re") {
      let logger = logging.makeLogger(label: "coordinator")
      var request = EvalRERequest()
      request.images = images
      request.count = count
      request.seed = seed
      request.grid = grid
      request.perImage = perImage
      request.model = model
      request.locOrder = locOrder
      request.onUnparsable = onUnparsable
      request.imagesPerShard = imagesPerShard
      request.batch = batch
      job.apply(to: &request)
      let spec = try EvalREJob.plan(request)
      let connection = try database.connect(logger: logger)
      let result = try EvalREJob.enqueue(
        spec, request: request, queue: WorkQueue(connection: connection), logger: logger)
      printError(
        result.created
          ? "coordinator: enqueued eval-re job \(result.jobID) (\(spec.questions) questions)"
          : "coordinator: the same job already exists: \(result.jobID)")
      print(result.jobID)
    }
  }
}
