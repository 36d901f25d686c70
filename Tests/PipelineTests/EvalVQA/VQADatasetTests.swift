import Foundation
import Model
import Pipeline
import Testing

/// The benchmark readers on the fixtures (figures counted from the files by VQAFixture) and on
/// malformed files: each error names the file and the question, and nothing is enqueued.
struct VQADatasetTests {
  static func load(_ name: String) throws -> VQADataset {
    let fixture = try #require(VQAFixture.benchmarks.first { $0.name == name })
    return try VQADataset.load(try #require(VQABenchmark(rawValue: name)), path: fixture.data)
  }

  @Test(arguments: ["gqa", "vsr", "iconvqa", "vizwiz", "hm"])
  func readsEveryFixture(name: String) throws {
    let dataset = try Self.load(name)
    #expect(dataset.items.count == VQAFixture.questionCount(name))
    #expect(dataset.items.allSatisfy { !$0.question.isEmpty && !$0.truth.answers.isEmpty })
  }

  @Test func fieldsLandWhereTheyBelong() throws {
    let gqa = try Self.load("gqa")
    #expect(
      gqa.items[0]
        == VQAItem(
          questionID: "20000000", image: "opencv-apple.jpg", question: "What fruit is shown?",
          truth: VQATruth(answers: ["apple"]), answerType: "query"))
    #expect(gqa.prior == "yes")
    let iconqa = try Self.load("iconvqa")
    // Problems 900 (train split) and 901 (choose_img) are left out.
    #expect(iconqa.items.map(\.questionID) == (100...111).map(String.init))
    #expect(iconqa.items[1].truth == VQATruth(answers: ["2"], choices: ["1", "2", "3"], answerIndex: 1))
    #expect(iconqa.items[1].image == "101/image.png" && iconqa.prior == "A")
    let vizwiz = try Self.load("vizwiz")
    #expect(vizwiz.items[0].questionID == "opencv-apple.jpg" && vizwiz.items[0].truth.answers.count == 10)
    #expect(vizwiz.items[6].answerType == "unanswerable" && vizwiz.prior == "unanswerable")
    let vsr = try Self.load("vsr")
    #expect(vsr.items[1].truth.answers == ["false"] && vsr.items[1].questionID == "2")
    #expect(vsr.items[1].answerType == "on top of" && vsr.prior == "true")
    let hm = try Self.load("hm")
    #expect(hm.items[2].questionID == "1003" && hm.items[2].truth.answers == ["yes"] && hm.prior == "yes")
  }

  @Test func aSeededSubsetIsADrawInFileOrder() {
    #expect(EvalVQAJob.subset(count: 10, limit: nil, seed: nil) == Array(0..<10))
    #expect(EvalVQAJob.subset(count: 10, limit: 3, seed: nil) == [0, 1, 2])
    let drawn = EvalVQAJob.subset(count: 100, limit: 10, seed: 5)
    #expect(drawn.count == 10 && drawn == drawn.sorted() && Set(drawn).count == 10)
    #expect(drawn == EvalVQAJob.subset(count: 100, limit: 10, seed: 5))
    #expect(drawn != EvalVQAJob.subset(count: 100, limit: 10, seed: 6))
    #expect(EvalVQAJob.subset(count: 4, limit: 10, seed: 1) == [0, 1, 2, 3])
  }

  @Test func imagesAreGroupedIntoShards() throws {
    var request = EvalVQARequest()
    request.benchmark = .gqa
    request.data = VQAFixture.root + "/gqa/testdev_balanced_questions.json"
    request.imageRoot = TestEnvironment.photos
    request.questionsPerShard = 5
    let plan = try EvalVQAJob.plan(request)
    let images = plan.shards.flatMap { $0.map(\.image) }
    #expect(Set(images).count == images.count)
    #expect(Set(images) == Set(plan.questions.map(\.item.image)))
    for (k, shard) in plan.shards.enumerated() {
      for entry in shard {
        #expect(
          entry.questions.allSatisfy {
            plan.questions[$0].item.image == entry.image && plan.questions[$0].shard == k
          })
      }
      // Whole images, filled to about the size: never past it by more than one image's questions.
      #expect(shard.reduce(0) { $0 + $1.questions.count } < 5 + 3)
    }
    #expect(plan.spec.questions == 24 && plan.spec.images == images.count)
  }

  /// A file with `text` in a temporary directory.
  static func file(_ name: String, _ text: String) throws -> String {
    let directory = NSTemporaryDirectory() + "pp-vqa-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = directory + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test(arguments: [
    (VQABenchmark.gqa, #"{"7": {"imageId": "x", "question": "q?"}}"#, "question 7: has no \"answer\""),
    (
      .gqa, #"{"7": {"imageId": 12, "question": "q?", "answer": "a"}}"#,
      "question 7: \"imageId\" must be a string"
    ),
    (.gqa, #"[1, 2]"#, "must be a JSON object"),
    (.gqa, #"{"7": "#, "is not valid JSON"),
    (
      .vsr,
      "{\"image\": \"a.jpg\", \"caption\": \"c\", \"label\": 1}\n\n{\"image\": \"a.jpg\", \"caption\": \"c\", \"label\": \"maybe\"}\n",
      "line 3: \"label\" must be 0, 1, true or false"
    ),
    (.vsr, "{\"image\": \"a.jpg\", \"label\": true}\n", "line 1: has no \"caption\""),
    (
      .iconvqa, #"{"5": {"question": "q", "choices": ["a", "b"], "answer": 2}}"#,
      "problem 5: \"answer\" 2 is not the index"
    ),
    (
      .iconvqa, #"{"5": {"question": "q", "choices": "a", "answer": 0}}"#,
      "problem 5: \"choices\" must be an array"
    ),
    (
      .vizwiz, #"[{"image": "v.jpg", "question": "q", "answers": []}]"#,
      "question v.jpg: \"answers\" must be a non-empty array"
    ),
    (.hm, "{\"id\": 3, \"img\": \"m.png\", \"label\": 1}\n", "meme 3: has no \"text\""),
    (.hm, "", "holds no HM questions"),
  ])
  func malformedFilesNameTheFileAndTheQuestion(benchmark: VQABenchmark, text: String, message: String) throws
  {
    let path = try Self.file("data.json", text)
    let error = try #require(throws: PipelineError.self) { try VQADataset.load(benchmark, path: path) }
    #expect(error.subject == path)
    #expect(error.description.contains(message), "\(error)")
  }

  @Test func aMissingImageFailsTheEnqueueAndStoresNothing() throws {
    let path = try Self.file(
      "val.json",
      #"[{"image": "opencv-apple.jpg", "question": "q", "answers": [{"answer": "a"}]}, "#
        + #"{"image": "no-such.jpg", "question": "q2", "answers": [{"answer": "b"}]}]"#)
    let result = try ProcessRunner.run(
      "coordinator",
      [
        "enqueue", "eval-vqa", "--benchmark", "vizwiz", "--data", path, "--image-root",
        TestEnvironment.photos,
      ],
      environment: ["DATABASE_URL": try TestEnvironment.databaseURL()])
    #expect(result.status != 0)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(result.stderr)")
    #expect(
      result.stderr.contains(TestEnvironment.photos + "/no-such.jpg")
        && result.stderr.contains("question no-such.jpg"))
    let stored = try TestEnvironment.connect().query(
      "SELECT count(*) FROM jobs WHERE kind = 'eval-vqa' AND spec->>'data' = $1", [.text(path)])
    #expect(stored.int(0, 0) == 0)
    // A baseline that cannot answer VQA questions is refused too.
    let box = try ProcessRunner.run(
      "coordinator",
      [
        "enqueue", "eval-vqa", "--benchmark", "vizwiz", "--data", path, "--image-root",
        TestEnvironment.photos,
        "--model", "baseline:mean",
      ], environment: ["DATABASE_URL": try TestEnvironment.databaseURL()])
    #expect(box.status != 0 && box.stderr.contains("--model") && box.stderr.contains("baseline:prior"))
  }
}
