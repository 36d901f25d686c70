import Model
public import Shards

/// Splits a gen-pvp job into input shards: contiguous ranges of question numbers, with the
/// questions of each shard grouped by image so that a worker decodes each image once per shard.
public struct GenPVPPlanner: Sendable {
  public let spec: GenPVPSpec
  public let corpus: ImageCorpus
  let sampler: QuestionSampler

  public init(spec: GenPVPSpec, corpus: ImageCorpus) {
    self.spec = spec
    self.corpus = corpus
    self.sampler = QuestionSampler(seed: spec.seed, slots: corpus.slotCount, grid: spec.grid)
  }

  /// The records of shard `k`, images in order of their first question.
  public func records(ofShard k: Int) -> [PVPImageQuestions] {
    var groups: [Int32: Int] = [:]
    var records: [PVPImageQuestions] = []
    for index in spec.range(ofShard: k) {
      let q = sampler.question(index)
      let image = corpus.slotImage[q.slot]
      let location = PVPLocation(index: index, row: UInt16(q.row), col: UInt16(q.col))
      if let at = groups[image] {
        records[at].questions.append(location)
      } else {
        groups[image] = records.count
        records.append(
          PVPImageQuestions(
            image: corpus.images[Int(image)], imageID: corpus.imageIDs[Int(image)],
            questions: [location]))
      }
    }
    return records
  }

  /// Shard `k` as a compressed blob.
  public func shard(_ k: Int) throws -> (blob: ShardBlob, questions: Int) {
    let records = records(ofShard: k)
    var writer = try ShardWriter(
      kind: .pvpInput, metadata: #"{"kind":"gen-pvp","shard":\#(k)}"#)
    for record in records { try writer.append(record) }
    return (try writer.finish(), spec.range(ofShard: k).count)
  }
}
