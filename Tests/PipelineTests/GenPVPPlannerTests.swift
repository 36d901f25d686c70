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
    for k in 0..<planner.spec.shardCount {
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

  @Test func eachImageAppearsOncePerShard() throws {
    let planner = try Self.planner(questions: 2000, shardSize: 1000)
    for k in 0..<planner.spec.shardCount {
      let images = planner.records(ofShard: k).map(\.image)
      #expect(Set(images).count == images.count)
      #expect(images.count <= 23)
    }
  }

  @Test func shardBlobsRoundTrip() throws {
    let planner = try Self.planner(questions: 1000, shardSize: 400)
    let (blob, questions) = try planner.shard(2)
    #expect(questions == 200)
    let reader = try ShardReader(
      bytes: blob.bytes, expectedDigest: blob.digest, expectedKind: .pvpInput, name: "test")
    var records: [PVPImageQuestions] = []
    while let record: PVPImageQuestions = try reader.next() { records.append(record) }
    #expect(records == planner.records(ofShard: 2))
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
