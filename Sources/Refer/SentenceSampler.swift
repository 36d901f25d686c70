/// The seeded, reproducible choice of the sentences scored per split.
///
/// Algorithm (so that any program can recompute a recorded sample):
/// 1. candidates: the split's sentences sorted by (`ref_id`, `sent_id`);
/// 2. generator: SplitMix64 with state `seed XOR FNV-1a-64("<dataset>/<split>")` (UTF-8), so
///    every split of one job seed gets its own stream;
/// 3. partial Fisher-Yates: for `i` in `0..<count`, draw `j = i + r` with `r` uniform in
///    `0..<(n - i)` (`r = x % (n - i)` for the first SplitMix64 output `x` below
///    `2^64 - 1 - (2^64 - 1) % (n - i)`), and swap candidates `i` and `j`;
/// 4. the first `count` candidates, sorted again by (`ref_id`, `sent_id`), are the sample.
public enum SentenceSampler {
  /// `count` sentences of `split`, chosen with `seed`.
  public static func sample(
    _ dataset: ReferDataset, split: String, count: Int, seed: UInt64
  ) throws(ReferError) -> [ReferSentence] {
    let sentences = dataset.sentences(split: split)
    guard !sentences.isEmpty else {
      throw ReferError(
        .unknownSplit, field: split,
        "\(dataset.name) has no sentences in split '\(split)' (splits: \(dataset.splits.joined(separator: ", ")))"
      )
    }
    return try sample(sentences, dataset: dataset.name, split: split, count: count, seed: seed)
  }

  /// `counts[split]` sentences of every split named in `counts`, each chosen with `seed`.
  public static func sample(
    _ dataset: ReferDataset, counts: [String: Int], seed: UInt64
  ) throws(ReferError) -> [String: [ReferSentence]] {
    var samples: [String: [ReferSentence]] = [:]
    for (split, count) in counts.sorted(by: { $0.key < $1.key }) {
      samples[split] = try sample(dataset, split: split, count: count, seed: seed)
    }
    return samples
  }

  /// `count` of `sentences` (all of one split), chosen with `seed`; `dataset` and `split` pick the
  /// generator stream and name the split in errors.
  public static func sample(
    _ sentences: [ReferSentence], dataset: String, split: String, count: Int, seed: UInt64
  ) throws(ReferError) -> [ReferSentence] {
    guard count >= 0 else {
      throw ReferError(.badSampleSize, field: split, "cannot choose \(count) sentences")
    }
    guard count <= sentences.count else {
      throw ReferError(
        .badSampleSize, field: split,
        "\(dataset) split '\(split)' has \(sentences.count) sentences, \(count) requested")
    }
    var candidates = sentences.sorted(by: canonicalOrder)
    var generator = SplitMix64(state: seed ^ fnv1a64("\(dataset)/\(split)"))
    for index in 0..<count {
      let other = index + Int(generator.next(below: UInt64(candidates.count - index)))
      candidates.swapAt(index, other)
    }
    return candidates.prefix(count).sorted(by: canonicalOrder)
  }

  static func canonicalOrder(_ a: ReferSentence, _ b: ReferSentence) -> Bool {
    (a.refID, a.sentID) < (b.refID, b.sentID)
  }
}
