import Refer
import Testing

@Suite struct SentenceSamplerTests {
  /// `make_subsets.py` reimplements the documented algorithm in Python.
  struct SubsetCase: Decodable, Sendable, CustomTestStringConvertible {
    var split: String
    var seed: UInt64
    var count: Int
    var chosen: [[Int]]
    var testDescription: String { "\(split) seed \(seed) count \(count)" }
  }

  static let cases = (try? Fixtures.json("subsets.json", as: [SubsetCase].self)) ?? []
  static let dataset = Result {
    try ReferDataset.load(root: Fixtures.referMini, dataset: "refcoco", splitBy: "unc")
  }

  @Test func casesAreLoaded() {
    #expect(Self.cases.count == 72)
  }

  @Test(arguments: cases) func matchesThePythonReimplementation(_ sample: SubsetCase) throws {
    let chosen = try SentenceSampler.sample(
      Self.dataset.get(), split: sample.split, count: sample.count, seed: sample.seed)
    #expect(chosen.map { [$0.refID, $0.sentID] } == sample.chosen)
    #expect(chosen.allSatisfy { $0.split == sample.split })
  }

  @Test func sameSeedSameSampleAndEveryCountNests() throws {
    let dataset = try Self.dataset.get()
    let first = try SentenceSampler.sample(dataset, split: "testA", count: 4, seed: 99)
    let second = try SentenceSampler.sample(dataset, split: "testA", count: 4, seed: 99)
    #expect(first == second)
    #expect(Set(first).count == 4)
    // The whole split is a permutation of every sentence, returned in (ref_id, sent_id) order.
    let all = try SentenceSampler.sample(dataset, split: "testA", count: 6, seed: 99)
    #expect(all == dataset.sentences(split: "testA").sorted { ($0.refID, $0.sentID) < ($1.refID, $1.sentID) })
  }

  /// The order of the input does not matter: candidates are sorted first.
  @Test func inputOrderDoesNotMatter() throws {
    let sentences = try Self.dataset.get().sentences(split: "val")
    let forward = try SentenceSampler.sample(sentences, dataset: "refcoco", split: "val", count: 2, seed: 5)
    let backward = try SentenceSampler.sample(
      sentences.reversed(), dataset: "refcoco", split: "val", count: 2, seed: 5)
    #expect(forward == backward)
  }

  @Test func severalSplitsAtOnce() throws {
    let dataset = try Self.dataset.get()
    let samples = try SentenceSampler.sample(dataset, counts: ["val": 2, "testB": 3], seed: 1)
    #expect(samples.keys.sorted() == ["testB", "val"])
    #expect(samples["val"] == (try SentenceSampler.sample(dataset, split: "val", count: 2, seed: 1)))
    #expect(samples["testB"]?.count == 3)
  }

  @Test func tooManyNamesTheSplitAndItsSize() throws {
    do {
      _ = try SentenceSampler.sample(Self.dataset.get(), split: "val", count: 6, seed: 0)
      Issue.record("expected an error")
    } catch let error as ReferError {
      #expect(error.code == .badSampleSize)
      #expect(error.field == "val")
      #expect(error.description.contains("'val' has 5 sentences, 6 requested"))
    }
  }

  @Test func negativeCountAndUnknownSplit() throws {
    let dataset = try Self.dataset.get()
    #expect(throws: ReferError.self) { try SentenceSampler.sample(dataset, split: "val", count: -1, seed: 0) }
    do {
      _ = try SentenceSampler.sample(dataset, split: "test", count: 1, seed: 0)
      Issue.record("expected an error")
    } catch {
      #expect(error.code == .unknownSplit)
      #expect(error.description.contains("testA, testB, train, val"))
    }
  }
}
