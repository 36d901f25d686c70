public import Model

/// What to do with an answer that does not parse.
public enum UnparsablePolicy: String, Codable, Sendable, CaseIterable {
  /// Count it as the worst error: 255 on every channel (the default).
  case worst
  /// Leave it out of the error sums (it is still counted and reported).
  case skip
}

/// The full specification of an `eval-re` job, stored as the job's JSON spec.
public struct EvalRESpec: Codable, Sendable, Equatable {
  public static let kind = "eval-re"
  /// Thumbnail sizes every report shows beside the model, with `baseline:mean`.
  public static let referenceThumbnails = [4, 8, 16, 32]

  public var imagesDirectory: String
  /// The evaluated images (relative paths), in evaluation order.
  public var images: [String]
  public var grid: Int
  /// Cells per image, or nil for every cell.
  public var perImage: Int?
  public var seed: UInt64?
  public var model: String
  public var locOrder: LocOrder
  public var onUnparsable: UnparsablePolicy
  public var imagesPerShard: Int
  /// Questions per model call (all of one image).
  public var batch: Int
  public var maxPixels: Int
  public var store: String

  public var questionsPerImage: Int { perImage ?? grid * grid }
  public var questions: Int { images.count * questionsPerImage }
  public var shardCount: Int { (images.count + imagesPerShard - 1) / imagesPerShard }

  public func images(ofShard k: Int) -> ArraySlice<String> {
    images[(k * imagesPerShard)..<min((k + 1) * imagesPerShard, images.count)]
  }
}
