public import Model

/// Which box limits the mask questions of a sentence.
public enum RefBoxMode: String, Codable, Sendable, CaseIterable {
  /// The model's answer to the `[refer]` question (the paper's protocol); an unparsable answer
  /// falls back to the whole image and is counted.
  case model
  /// The ground-truth box: the segmentation step alone, with perfect localisation.
  case gt
  /// No box: every cell of the grid is asked.
  case full
}

/// Which text of a RefCOCO sentence the questions carry.
public enum SentenceField: String, Codable, Sendable, CaseIterable {
  /// The expression as written (`raw`): what MiniGPT-v2's RefCOCO datasets feed the model.
  case raw
  /// The lower-cased, punctuation-free form (`sent`).
  case sent
}

/// A dataset of the official refer layout and its split scheme: `refcoco:unc`.
public struct RefDatasetName: Codable, Sendable, Hashable, CustomStringConvertible {
  public var name: String
  public var splitBy: String

  public init(name: String, splitBy: String) {
    self.name = name
    self.splitBy = splitBy
  }

  public var description: String { "\(name):\(splitBy)" }
}

/// One scored split: `refcoco:testA`.
public struct RefSplitName: Codable, Sendable, Hashable, CustomStringConvertible {
  public var dataset: String
  public var split: String

  public init(dataset: String, split: String) {
    self.dataset = dataset
    self.split = split
  }

  public var description: String { "\(dataset):\(split)" }
}

/// The full specification of a `score-refcoco` job, stored as the job's JSON spec. The chosen
/// sentences are not in it: they are a pure function of it (and the files), and are recorded in
/// `refcoco_subsets`.
public struct ScoreRefCOCOSpec: Codable, Sendable, Equatable {
  public static let kind = "score-refcoco"

  public var referRoot: String
  public var imageRoot: String
  public var datasets: [RefDatasetName]
  /// The scored splits, in report order.
  public var splits: [RefSplitName]
  public var perSplit: Int
  public var seed: UInt64
  public var grid: Int
  public var box: RefBoxMode
  public var model: String
  public var locOrder: LocOrder
  public var sentenceField: SentenceField
  public var sentencesPerShard: Int
  /// Questions per model call (all about one image and one sentence).
  public var batch: Int
  public var maxPixels: Int
  public var store: String

  public var sentences: Int { splits.count * perSplit }
  public var shardCount: Int { (sentences + sentencesPerShard - 1) / sentencesPerShard }
}
