import Foundation
import Imaging
public import Queue
import Shards

/// Runs one gen-pvp shard: decodes each image once, resizes it to the grid exactly as Pillow does,
/// and answers every question of the shard with the target colour at its location.
public struct GenPVPExecutor: ShardExecutor {
  /// Where this worker sees the corpus, when it is mounted somewhere else than the coordinator saw it.
  public var imageRootOverride: String?

  public init(imageRootOverride: String? = nil) {
    self.imageRootOverride = imageRootOverride
  }

  public func execute(_ shard: ClaimedShard, context: ExecutionContext) throws -> ShardOutput {
    let spec: GenPVPSpec = try JobSpec.decode(shard)
    let name = "job \(shard.jobID) shard \(shard.index)"
    let store = try BlobStores.parse(spec.store)
    let input = try ShardInput.open(
      shard, store: store, kind: .pvpInput, connection: context.connection)
    let root = imageRootOverride ?? spec.imageRoot
    var writer = try ShardWriter(
      kind: .pvpOutput, metadata: #"{"kind":"gen-pvp","shard":\#(shard.index)}"#)
    var images = 0
    var questions = 0
    var reader = input
    while let record: PVPImageQuestions = try reader.next() {
      if context.isCancelled() {
        throw ShardFailure(retryable: true, code: "cancelled", message: "\(name): lease lost")
      }
      let path = root.hasSuffix("/") ? root + record.image : root + "/" + record.image
      let target: RGBImage
      do {
        let image = try ImageDecoder.decodeFile(atPath: path, maxPixels: spec.maxPixels)
        target = Resampler.bicubic(image, width: spec.grid, height: spec.grid)
      } catch {
        throw ShardFailure(retryable: false, code: "bad-image", message: "\(name): \(error)")
      }
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
    guard questions == shard.questions else {
      throw ShardFailure(
        retryable: false, code: "count-mismatch",
        message: "\(name): input holds \(questions) questions, the queue expected \(shard.questions)")
    }
    let blob = try writer.finish()
    try store.put(digest: blob.digest, bytes: blob.bytes, on: context.connection)
    let (jobID, index, imageCount) = (shard.jobID, shard.index, images)
    return ShardOutput(
      outputDigest: blob.digest, outputSize: blob.size, questions: questions,
      writeResults: { connection in
        try connection.execute(
          """
          INSERT INTO pvp_shard_stats (job_id, idx, questions, images) VALUES ($1, $2, $3, $4)
          ON CONFLICT (job_id, idx) DO UPDATE SET questions = EXCLUDED.questions,
            images = EXCLUDED.images
          """,
          [.int(jobID), .int(Int64(index)), .int(Int64(questions)), .int(Int64(imageCount))])
      })
  }
}
