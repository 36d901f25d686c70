public import Model

/// The full specification of an `eval-vqa` job, stored as the job's JSON spec. The scored subset
/// itself is in the table `vqa_questions`.
public struct EvalVQASpec: Codable, Sendable, Equatable {
  public static let kind = "eval-vqa"

  public var benchmark: VQABenchmark
  /// The evaluation file and the image root, as the coordinator saw them.
  public var data: String
  public var imageRoot: String
  /// Questions in the file, and the chosen subset's size.
  public var available: Int
  public var questions: Int
  public var images: Int
  /// `--limit`; nil: every question.
  public var limit: Int?
  /// `--seed` of the subset draw; nil: the first `limit` questions in file order.
  public var seed: UInt64?
  public var model: String
  /// `baseline:prior`'s answer, from the whole file.
  public var prior: String
  public var questionsPerShard: Int
  public var shards: Int
  public var maxPixels: Int
  /// Blob store URI (`postgres` or `file:///path`) holding this job's shards.
  public var store: String

  public init(
    benchmark: VQABenchmark, data: String, imageRoot: String, available: Int, questions: Int,
    images: Int, limit: Int?, seed: UInt64?, model: String, prior: String, questionsPerShard: Int,
    shards: Int, maxPixels: Int, store: String
  ) {
    self.benchmark = benchmark
    self.data = data
    self.imageRoot = imageRoot
    self.available = available
    self.questions = questions
    self.images = images
    self.limit = limit
    self.seed = seed
    self.model = model
    self.prior = prior
    self.questionsPerShard = questionsPerShard
    self.shards = shards
    self.maxPixels = maxPixels
    self.store = store
  }
}
