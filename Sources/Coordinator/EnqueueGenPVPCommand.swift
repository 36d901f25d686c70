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
      Shards hold whole images: each image is in exactly one shard and is decoded once per job.
      Every image's header is checked at enqueue (JPEG or PNG, readable, within --max-pixels): a \
      bad one refuses the job, naming it, unless --skip-bad-images leaves it out.
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
  // Numbers are parsed unconditionally, so that `--questions -5` is refused by name and value
  // rather than taken for an option that lacks its value.
  @Option(parsing: .unconditional, help: "How many questions (the paper: 3,600,000).")
  var questions: Int = 3_600_000
  @Option(parsing: .unconditional, help: "Seed of the question sampler.")
  var seed: UInt64 = 0
  @Option(parsing: .unconditional, help: "Grid size: targets are the image resized to grid x grid.")
  var grid: Int = 64
  @Option(help: "Coordinate order in the question: yx (row first, the released code) or xy.")
  var locOrder: LocOrder = .yx
  @Option(
    parsing: .unconditional,
    help: "Questions per shard, about: whole images go into shards (each image in exactly one).")
  var shardSize: Int = 10_000
  @Option(
    parsing: .unconditional, help: "Refuse images with more pixels than this (decompression bombs).")
  var maxPixels: Int = 178_956_970
  @Flag(
    help:
      "Leave out images whose header check fails (listed on stderr) instead of refusing the job.")
  var skipBadImages = false
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
      request.skipBadImages = skipBadImages
      job.apply(to: &request)
      // Validate before connecting, so a typo is reported even when the database is down.
      let planner = try GenPVPJob.plan(request)
      for error in planner.skipped { printError("coordinator: skipped bad image: \(error)") }
      if !planner.skipped.isEmpty {
        printError(
          "coordinator: \(planner.skipped.count) bad images left out, \(planner.corpus.images.count) kept")
      }
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
