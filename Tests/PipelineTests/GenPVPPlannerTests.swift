import Model
import Pipeline
import Shards
import Testing

@Suite struct GenPVPPlannerTests {
  static func planner(questions: Int, shardSize: Int, seed: UInt64 = 3) throws -> GenPVPPlanner {
    var request = GenPVPRequest()
    request.imageDirectory = TestEnvironment.photos
    request.questions = questions
    request.shardSize = shardSize
    request.seed = seed
    return try GenPVPJob.plan(request)
  }

  static func flatten(_ planner: GenPVPPlanner) -> [(UInt64, String, UInt16, UInt16)] {
    var all: [(UInt64, String, UInt16, UInt16)] = []
    for k in 0..<planner.shardCount {
      for record in planner.records(ofShard: k) {
        for q in record.questions { all.append((q.index, record.image, q.row, q.col)) }
      }
    }
    return all.sorted { $0.0 < $1.0 }
  }

  @Test(arguments: [1, 7, 333, 5000, 9999])
  func questionsDoNotDependOnTheSharding(_ shardSize: Int) throws {
    let reference = Self.flatten(try Self.planner(questions: 5000, shardSize: 5000))
    let sharded = Self.flatten(try Self.planner(questions: 5000, shardSize: shardSize))
    #expect(sharded.count == 5000)
    #expect(sharded.map(\.0) == Array(0..<5000))
    #expect(sharded.elementsEqual(reference) { $0 == $1 })
  }

  @Test func questionsFollowTheSampler() throws {
    let planner = try Self.planner(questions: 200, shardSize: 64)
    let corpus = try ImageCorpus.directory(TestEnvironment.photos)
    let sampler = QuestionSampler(seed: 3, slots: corpus.slotCount, grid: 64)
    for (index, image, row, col) in Self.flatten(planner) {
      let q = sampler.question(index)
      #expect(corpus.images[q.slot] == image)
      #expect((Int(row), Int(col)) == (q.row, q.col))
    }
  }

  /// Questions of the bundled photos (seed 11) and of a three-row caption corpus (seed 0), as
  /// `bench/sampler_reference.py` and Pillow's `resize((64, 64))` give them, pinned before the
  /// planner grouped questions by image: (index, image, row, col, Pillow's colour there).
  static let pinnedPhotos: [(UInt64, String, UInt16, UInt16, [Int])] = [
    (0, "opencv-leuvenA.jpg", 57, 6, [76, 70, 57]), (1, "skimage-rocket.jpg", 56, 21, [77, 73, 85]),
    (7, "opencv-leuvenA.jpg", 31, 22, [69, 67, 65]), (1234, "skimage-rocket.jpg", 28, 16, [52, 74, 114]),
    (2999, "opencv-leuvenA.jpg", 49, 29, [119, 116, 108]),
  ]
  static let pinnedCaptions: [(UInt64, String, UInt16, UInt16, [Int])] = [
    (0, "opencv-apple.jpg", 59, 50, [123, 107, 66]), (1, "skimage-coffee.png", 10, 60, [199, 139, 96]),
    (2, "opencv-apple.jpg", 17, 60, [148, 166, 93]), (3, "skimage-coffee.png", 22, 14, [168, 41, 15]),
    (599, "opencv-apple.jpg", 21, 38, [198, 108, 51]),
  ]

  @Test(arguments: [250, 3000])
  func pinnedQuestionsAreThoseOfThePreChangeDefinition(_ shardSize: Int) throws {
    let planner = try Self.planner(questions: 3000, shardSize: shardSize, seed: 11)
    let all = Self.flatten(planner)
    for (index, image, row, col, _) in Self.pinnedPhotos {
      let found = all[Int(index)]
      #expect(found == (index, image, row, col), "question \(index)")
    }
  }

  /// A planner over a made-up corpus (planning reads no file): `images` names, slots as given.
  static func synthetic(
    images: Int, slots: [Int32]? = nil, questions: Int, shardSize: Int, seed: UInt64 = 5
  ) -> GenPVPPlanner {
    let corpus = ImageCorpus(
      images: (0..<images).map { "im\($0).jpg" }, imageIDs: (0..<images).map { Int64($0) },
      slotImage: slots ?? (0..<images).map { Int32($0) }, root: "/nowhere")
    let spec = GenPVPSpec(
      imageRoot: corpus.root, captions: nil, questions: questions, seed: seed, grid: 64,
      locOrder: .yx, shardSize: shardSize, maxPixels: 1 << 20, store: "postgres",
      slots: corpus.slotCount, images: images, corpusFingerprint: corpus.fingerprint)
    return GenPVPPlanner(spec: spec, corpus: corpus)
  }

  /// Each image's question count, straight from the sampler.
  static func counts(_ planner: GenPVPPlanner) -> [String: Int] {
    let sampler = QuestionSampler(
      seed: planner.spec.seed, slots: planner.corpus.slotCount, grid: planner.spec.grid)
    var counts: [String: Int] = [:]
    for index in 0..<UInt64(planner.spec.questions) {
      counts[
        planner.corpus.images[Int(planner.corpus.slotImage[sampler.question(index).slot])], default: 0] += 1
    }
    return counts
  }

  @Test(arguments: [(23, 5000, 1000), (2000, 60000, 10000), (500, 15000, 777)])
  func everyImageIsInExactlyOneShardOfAboutTheShardSize(
    _ images: Int, _ questions: Int, _ shardSize: Int
  ) throws {
    let planner = Self.synthetic(images: images, questions: questions, shardSize: shardSize)
    let counts = Self.counts(planner)
    let largest = try #require(counts.values.max())
    var seen: Set<String> = []
    var total = 0
    for k in 0..<planner.shardCount {
      let records = planner.records(ofShard: k)
      let inShard = records.reduce(0) { $0 + $1.questions.count }
      #expect(inShard == planner.questions(ofShard: k))
      total += inShard
      for record in records {
        #expect(!seen.contains(record.image), "\(record.image) in two shards")
        seen.insert(record.image)
        #expect(record.questions.count == counts[record.image])
        #expect(record.questions.map(\.index) == record.questions.map(\.index).sorted())
      }
      // At most the shard size, and short of it by less than the largest image's questions
      // (the image that did not fit), except for the last shard.
      #expect(inShard <= shardSize || records.count == 1)
      if k < planner.shardCount - 1 { #expect(inShard > shardSize - largest, "shard \(k): \(inShard)") }
    }
    #expect(total == questions)
    #expect(seen == Set(counts.keys))
    #expect(planner.shardCount <= (questions + shardSize - largest - 1) / (shardSize - largest) + 1)
  }

  @Test func anImageWithMoreQuestionsThanAShardTakesAShardOfItsOwn() {
    let planner = Self.synthetic(images: 3, questions: 3000, shardSize: 100)
    #expect(planner.shardCount == 3)
    for k in 0..<3 {
      let records = planner.records(ofShard: k)
      #expect(records.map(\.image) == ["im\(k).jpg"])
      #expect(planner.questions(ofShard: k) > 800)
    }
  }

  /// Five caption rows over three files: records are per file, never per row, and a file's
  /// questions are all its rows' questions.
  @Test func theCaptionCorpusIsGroupedByImageFile() throws {
    let planner = Self.synthetic(
      images: 3, slots: [0, 1, 0, 2, 0], questions: 4000, shardSize: 1500, seed: 9)
    let sampler = QuestionSampler(seed: 9, slots: 5, grid: 64)
    var expected: [String: [UInt64]] = [:]
    for index in 0..<UInt64(4000) {
      let slot = sampler.question(index).slot
      expected[["im0.jpg", "im1.jpg", "im0.jpg", "im2.jpg", "im0.jpg"][slot], default: []].append(index)
    }
    var found: [String: [UInt64]] = [:]
    for k in 0..<planner.shardCount {
      for record in planner.records(ofShard: k) {
        #expect(found[record.image] == nil, "\(record.image) split")
        found[record.image] = record.questions.map(\.index)
        #expect(record.imageID == Int64(record.image.dropFirst(2).prefix(1))!)
      }
    }
    #expect(found == expected)
    // Three rows of five are the first file: about 60% of the questions.
    #expect((2200...2600).contains(try #require(found["im0.jpg"]).count))
  }

  @Test func shardBlobsRoundTrip() throws {
    let planner = try Self.planner(questions: 1000, shardSize: 400)
    let (blob, questions) = try planner.shard(2)
    #expect(questions == planner.questions(ofShard: 2) && questions > 0)
    let reader = try ShardReader(
      bytes: blob.bytes, expectedDigest: blob.digest, expectedKind: .pvpInput, name: "test")
    var records: [PVPImageQuestions] = []
    while let record: PVPImageQuestions = try reader.next() { records.append(record) }
    #expect(records == planner.records(ofShard: 2))
    #expect(records.reduce(0) { $0 + $1.questions.count } == questions)
  }

  @Test func badOptionsNameTheOption() throws {
    var request = GenPVPRequest()
    request.imageDirectory = TestEnvironment.photos
    request.questions = 0
    #expect(throws: PipelineError.self) { try GenPVPJob.plan(request) }
    do {
      _ = try GenPVPJob.plan(request)
    } catch let error as PipelineError {
      #expect(error.subject == "--questions")
    }
    request.questions = 10
    request.imageDirectory = "/nonexistent/photos"
    do {
      _ = try GenPVPJob.plan(request)
      Issue.record("a missing image directory was accepted")
    } catch let error as PipelineError {
      #expect(error.code == .missingInput)
      #expect(error.description.contains("/nonexistent/photos"))
    }
  }
}
