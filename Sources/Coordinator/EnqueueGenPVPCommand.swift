import ArgumentParser
import CommandSupport
import Model
import Pipeline
import Queue

struct EnqueueGenPVPCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gen-pvp",
    abstract: "Generate pixel-value-prediction training questions (the paper's 3.6M).",
    discussion: """
      Question i picks a sample slot and a grid cell as a pure function of (seed, i), so the \
      output is the same however the job is sharded and however many workers run it. Its answer \
      is the pixel of the image resized to the grid as Pillow's resize((64, 64)) does (BICUBIC).
      Corpus: --images DIR (one slot per image) or --captions FILE.json --image-root DIR (a \
      COCO-caption/karpathy list; one slot per caption row, as the released code samples).
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions

  @Option(help: "A directory of JPEG/PNG images (searched recursively).")
  var images: String?
  @Option(
    help: "A COCO-caption JSON: [{\"image\": \"train2014/...jpg\", \"caption\": ..., \"image_id\": ...}].")
  var captions: String?
  @Option(help: "The directory the caption file's image paths are relative to.")
  var imageRoot: String?
  @Option(help: "How many questions (the paper: 3,600,000).")
  var questions: Int = 3_600_000
  @Option(help: "Seed of the question sampler.")
  var seed: UInt64 = 0
  @Option(help: "Grid size: targets are the image resized to grid x grid.")
  var grid: Int = 64
  @Option(help: "Coordinate order in the question: yx (row first, the released code) or xy.")
  var locOrder: LocOrder = .yx
  @Option(help: "Questions per shard.")
  var shardSize: Int = 10_000
  @Option(help: "Refuse images with more pixels than this (decompression bombs).")
  var maxPixels: Int = 178_956_970
  @OptionGroup(title: "Queue") var job: JobOptions

  func run() throws {
    try reportingErrors("coordinator enqueue gen-pvp") {
      let logger = logging.makeLogger(label: "coordinator")
      var request = GenPVPRequest()
      request.imageDirectory = images
      request.captions = captions
      request.imageRoot = imageRoot
      request.questions = questions
      request.seed = seed
      request.grid = grid
      request.locOrder = locOrder
      request.shardSize = shardSize
      request.maxPixels = maxPixels
      job.apply(to: &request)
      // Validate before connecting, so a typo is reported even when the database is down.
      let planner = try GenPVPJob.plan(request)
      let connection = try database.connect(logger: logger)
      let result = try GenPVPJob.enqueue(
        planner, request: request, queue: WorkQueue(connection: connection), logger: logger)
      printError(
        result.created
          ? "coordinator: enqueued gen-pvp job \(result.jobID)"
          : "coordinator: the same job already exists: \(result.jobID)")
      print(result.jobID)
    }
  }
}
