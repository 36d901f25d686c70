public import Imaging
public import Shards

/// The work of one gen-pvp shard, without the queue: decode each image once, resize it to the grid
/// as Pillow does, and answer every question with the target colour at its location.
public struct GenPVPWork {
  public let spec: GenPVPSpec
  public let imageRoot: String
  /// Resized targets are cached per shard only: a shard lists each image once anyway.
  public init(spec: GenPVPSpec, imageRoot: String) {
    self.spec = spec
    self.imageRoot = imageRoot
  }

  public struct Result {
    public var blob: ShardBlob
    public var images: Int
    public var questions: Int
  }

  /// The grid target of one image of the corpus.
  public func target(_ image: String) throws(ImageError) -> RGBImage {
    let path = ImageCorpus.path(root: imageRoot, image: image)
    let decoded = try ImageDecoder.decodeFile(atPath: path, maxPixels: spec.maxPixels)
    return Resampler.bicubic(decoded, width: spec.grid, height: spec.grid)
  }

  public func run(
    _ input: ShardReader, shard: Int, isCancelled: () -> Bool = { false }
  ) throws -> Result {
    var writer = try ShardWriter(
      kind: .pvpOutput, metadata: #"{"kind":"gen-pvp","shard":\#(shard)}"#)
    var images = 0
    var questions = 0
    while let record: PVPImageQuestions = try input.next() {
      if isCancelled() { throw CancellationError() }
      let target = try self.target(record.image)
      var answers: [PVPAnswer] = []
      answers.reserveCapacity(record.questions.count)
      for q in record.questions {
        let (r, g, b) = target[Int(q.row), Int(q.col)]
        answers.append(PVPAnswer(index: q.index, row: q.row, col: q.col, r: r, g: g, b: b))
      }
      try writer.append(
        PVPImageAnswers(image: record.image, imageID: record.imageID, answers: answers))
      images += 1
      questions += answers.count
    }
    return Result(blob: try writer.finish(), images: images, questions: questions)
  }
}
