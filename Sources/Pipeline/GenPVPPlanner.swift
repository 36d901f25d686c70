public import Imaging
import Model
public import Shards

/// Splits a gen-pvp job into input shards by image: every question's (slot, cell) is the
/// sampler's pure function of (seed, i), the questions are grouped by the image their slot
/// names, and whole images go into shards of about `shardSize` questions, so each image is in
/// exactly one shard of the job and a worker decodes it once per job.
///
/// The plan is a counting sort over the question numbers: one pass counts each image's
/// questions, a second writes every question number into its image's bucket (ascending, as the
/// passes go in order). It holds 4 bytes per question and 8 per image (3.6M questions over 118k
/// images: about 15 MB); rows and columns are recomputed from the index when a shard is written.
public struct GenPVPPlanner: Sendable {
  public let spec: GenPVPSpec
  public let corpus: ImageCorpus
  let sampler: QuestionSampler
  /// Question numbers, grouped by image (in corpus order), ascending within each image.
  let order: [UInt32]
  /// Image `n`'s questions are `order[imageStart[n]..<imageStart[n + 1]]`.
  let imageStart: [Int]
  /// Shard `k` holds images `shardStart[k]..<shardStart[k + 1]` (those with no question skipped).
  let shardStart: [Int]
  /// Images left out by `--skip-bad-images`, with why.
  public var skipped: [ImageError] = []

  public init(spec: GenPVPSpec, corpus: ImageCorpus) {
    self.spec = spec
    self.corpus = corpus
    let sampler = QuestionSampler(seed: spec.seed, slots: corpus.slotCount, grid: spec.grid)
    self.sampler = sampler
    let slotImage = corpus.slotImage
    let imageCount = corpus.images.count
    let total = UInt32(spec.questions)
    var start = [Int](repeating: 0, count: imageCount + 1)
    slotImage.withUnsafeBufferPointer { slots in
      start.withUnsafeMutableBufferPointer { start in
        for index in 0..<total {
          start[Int(slots[sampler.slot(UInt64(index))]) + 1] += 1
        }
        for n in 0..<imageCount { start[n + 1] += start[n] }
      }
    }
    var next = start
    let order = [UInt32](unsafeUninitializedCapacity: Int(total)) { buffer, initialized in
      slotImage.withUnsafeBufferPointer { slots in
        next.withUnsafeMutableBufferPointer { next in
          for index in 0..<total {
            let image = Int(slots[sampler.slot(UInt64(index))])
            buffer[next[image]] = index
            next[image] += 1
          }
        }
      }
      initialized = Int(total)
    }
    self.order = order
    self.imageStart = start
    self.shardStart = Self.shardBoundaries(imageStart: start, shardSize: spec.shardSize)
  }

  /// Greedy over the images in corpus order: a shard is closed before an image that would take
  /// it past `shardSize`, so shards hold at most `shardSize` questions, except a shard of one
  /// image that has more questions than that on its own.
  static func shardBoundaries(imageStart: [Int], shardSize: Int) -> [Int] {
    let imageCount = imageStart.count - 1
    var boundaries = [0]
    var current = 0
    for n in 0..<imageCount {
      let count = imageStart[n + 1] - imageStart[n]
      guard count > 0 else { continue }
      if current > 0 && current + count > shardSize {
        boundaries.append(n)
        current = 0
      }
      current += count
    }
    boundaries.append(imageCount)
    return boundaries
  }

  public var shardCount: Int { shardStart.count - 1 }

  /// How many questions shard `k` holds.
  public func questions(ofShard k: Int) -> Int {
    imageStart[shardStart[k + 1]] - imageStart[shardStart[k]]
  }

  /// The records of shard `k`: its images in corpus order, each with its questions ascending.
  public func records(ofShard k: Int) -> [PVPImageQuestions] {
    var records: [PVPImageQuestions] = []
    for image in shardStart[k]..<shardStart[k + 1] {
      let span = imageStart[image]..<imageStart[image + 1]
      guard !span.isEmpty else { continue }
      var questions: [PVPLocation] = []
      questions.reserveCapacity(span.count)
      for position in span {
        let index = UInt64(order[position])
        let q = sampler.question(index)
        questions.append(PVPLocation(index: index, row: UInt16(q.row), col: UInt16(q.col)))
      }
      records.append(
        PVPImageQuestions(
          image: corpus.images[image], imageID: corpus.imageIDs[image], questions: questions))
    }
    return records
  }

  /// Shard `k` as a compressed blob.
  public func shard(_ k: Int) throws -> (blob: ShardBlob, questions: Int) {
    var writer = try ShardWriter(
      kind: .pvpInput, metadata: #"{"kind":"gen-pvp","shard":\#(k)}"#)
    for record in records(ofShard: k) { try writer.append(record) }
    return (try writer.finish(), questions(ofShard: k))
  }
}
