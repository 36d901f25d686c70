import ArgumentParser
import CommandSupport
import Model
import Pipeline
import Queue

struct EnqueueScoreRefCOCOCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "score-refcoco",
    abstract: "Referring segmentation on RefCOCO/RefCOCO+/RefCOCOg subsets: cIoU, gIoU, REC accuracy.",
    discussion: """
      The paper's protocol, per sentence: `[refer] give me the location of {sentence}` gives a \
      box (MiniGPT-v2's {<x1><y1><x2><y2>}, 0..100; an unparsable answer falls back to the whole \
      image and is counted), then `[segmentation] {sentence} loc: [row,col] mask: ` is asked for \
      every grid cell whose centre lies inside the box (the others are 0). The grid mask is \
      upsampled with NEAREST and compared with the full-resolution ground truth. Per split: \
      cIoU = sum of intersections / sum of unions, gIoU = mean per-sentence IoU, REC accuracy = \
      share of boxes with IoU > 0.5.

      Data: --refer-root holds <dataset>/instances.json and <dataset>/refs(<splitBy>).p (the \
      official refer layout); --image-root holds the images instances.json names (COCO train2014).

      --datasets lists DATASET:SPLITBY items. --splits lists DATASET:SPLIT items in report order, \
      e.g. --splits refcoco:val,refcoco:testA,refcocog:test; by default the paper's splits of the \
      chosen datasets (RefCOCO and RefCOCO+ val, testA, testB; RefCOCOg val, test). --per-split \
      sentences are drawn per split with --seed and recorded in the table refcoco_subsets.

      --box model: the model's box (the paper); gt: the ground-truth box; full: every cell.

      Models: baseline:oracle (true box, true grid mask: the ceiling the grid allows) | \
      baseline:box (true box, every cell inside it 1) | native:FILE.safetensors | \
      openai:BASE_URL?model=NAME&template=minigptv2
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions

  @Option(help: "Directory with <dataset>/instances.json and <dataset>/refs(<splitBy>).p.")
  var referRoot: String?
  @Option(help: "Directory of the images named by instances.json.")
  var imageRoot: String?
  @Option(help: "Datasets as DATASET:SPLITBY, comma-separated.")
  var datasets: String = "refcoco:unc,refcoco+:unc,refcocog:umd"
  @Option(help: "Splits as DATASET:SPLIT, comma-separated (default: the paper's 8 splits of --datasets).")
  var splits: String?
  @Option(help: "Sentences drawn per split.")
  var perSplit: Int = 100
  @Option(help: "Seed of the sentence draw (same seed, same subset).")
  var seed: UInt64 = 0
  @Option(help: "Grid size of the mask questions.")
  var grid: Int = 64
  @Option(help: "Which box limits the mask questions: model, gt or full.")
  var box: RefBoxMode = .model
  @Option(help: "The model's URI.")
  var model: String = "baseline:oracle"
  @Option(help: "Coordinate order in the question: yx (row first) or xy.")
  var locOrder: LocOrder = .yx
  @Option(help: "Sentence text in the questions: raw (as written) or sent (lower-cased, no punctuation).")
  var sentenceField: SentenceField = .raw
  @Option(help: "Sentences per shard.")
  var sentencesPerShard: Int = 10
  @Option(help: "Questions per model call.")
  var batch: Int = 4096
  @OptionGroup(title: "Queue") var job: JobOptions

  func run() throws {
    try reportingErrors("coordinator enqueue score-refcoco") {
      let logger = logging.makeLogger(label: "coordinator")
      var request = ScoreRefCOCORequest()
      request.referRoot = referRoot
      request.imageRoot = imageRoot
      request.datasets = datasets
      request.splits = splits
      request.perSplit = perSplit
      request.seed = seed
      request.grid = grid
      request.box = box
      request.model = model
      request.locOrder = locOrder
      request.sentenceField = sentenceField
      request.sentencesPerShard = sentencesPerShard
      request.batch = batch
      job.apply(to: &request)
      let plan = try ScoreRefCOCOJob.plan(request)
      let connection = try database.connect(logger: logger)
      let result = try ScoreRefCOCOJob.enqueue(
        plan, request: request, queue: WorkQueue(connection: connection), logger: logger)
      printError(
        result.created
          ? "coordinator: enqueued score-refcoco job \(result.jobID) (\(plan.sentences.count) sentences, \(result.shards) shards)"
          : "coordinator: the same job already exists: \(result.jobID)")
      print(result.jobID)
    }
  }
}
