public import Model

/// The full specification of a `gen-pvp` job, stored as the job's JSON spec.
public struct GenPVPSpec: Codable, Sendable, Equatable {
  public static let kind = "gen-pvp"

  /// Where the images are, as the coordinator saw it (workers may mount it elsewhere).
  public var imageRoot: String
  /// The caption JSON the slots came from, or nil for a plain directory.
  public var captions: String?
  public var questions: Int
  public var seed: UInt64
  public var grid: Int
  public var locOrder: LocOrder
  public var shardSize: Int
  public var maxPixels: Int
  /// Blob store URI (`postgres` or `file:///path`) holding this job's shards.
  public var store: String
  public var slots: Int
  public var images: Int
  public var corpusFingerprint: String

  public init(
    imageRoot: String, captions: String?, questions: Int, seed: UInt64, grid: Int,
    locOrder: LocOrder, shardSize: Int, maxPixels: Int, store: String, slots: Int, images: Int,
    corpusFingerprint: String
  ) {
    self.imageRoot = imageRoot
    self.captions = captions
    self.questions = questions
    self.seed = seed
    self.grid = grid
    self.locOrder = locOrder
    self.shardSize = shardSize
    self.maxPixels = maxPixels
    self.store = store
    self.slots = slots
    self.images = images
    self.corpusFingerprint = corpusFingerprint
  }

  /// Question numbers are stored as 32 bits by the planner (4 bytes a question).
  public static let maxQuestions = Int(UInt32.max)

  /// Checks the numbers a user gave, naming the option at fault.
  public func validate() throws(PipelineError) {
    guard (1...Self.maxQuestions).contains(questions) else {
      throw PipelineError(
        .badOption, "--questions", "must be between 1 and \(Self.maxQuestions) (got \(questions))")
    }
    guard (1...4096).contains(grid) else {
      throw PipelineError(.badOption, "--grid", "must be between 1 and 4096 (got \(grid))")
    }
    guard shardSize >= 1 else {
      throw PipelineError(.badOption, "--shard-size", "must be at least 1 (got \(shardSize))")
    }
    guard maxPixels >= 1 else {
      throw PipelineError(.badOption, "--max-pixels", "must be at least 1 (got \(maxPixels))")
    }
  }
}
