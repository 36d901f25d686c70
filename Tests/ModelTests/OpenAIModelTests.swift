import Foundation
import Imaging
import Model
import Testing

@Suite(.serialized) struct OpenAIModelTests {
  static let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// A real photo and its Pillow-made 64x64 target (made outside this project).
  static func photo() throws -> (ModelImage, RGBImage) {
    let path = root + "/data/photos/opencv-fruits.jpg"
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let rgb = try ImageDecoder.decode(bytes, name: path)
    let target = try ImageDecoder.decodeFile(atPath: root + "/data/photos-64/opencv-fruits.png")
    return (ModelImage(name: "opencv-fruits.jpg", encoded: bytes, rgb: rgb, grid: 64), target)
  }

  static let cells = [(0, 0), (5, 60), (63, 63), (31, 17), (40, 2), (12, 12)]

  func model(_ server: FakeServer, _ options: String) throws -> any VisionLanguageModel {
    try ModelFactory.make("openai:\(server.baseURL)?\(options)")
  }

  @Test func theImageAndTheQuestionTravel() throws {
    let server = try FakeServer()
    let (image, target) = try Self.photo()
    let model = try model(server, "model=pixel&concurrency=4")
    let answers = try model.answer(Self.cells.map { ModelQuestion.pixel(row: $0.0, col: $0.1) }, about: image)
    for ((row, col), answer) in zip(Self.cells, answers) {
      let (r, g, b) = target[row, col]
      #expect(answer == "[\(r),\(g),\(b)]")
    }
    #expect(try server.stats()["requests"] == Self.cells.count)
  }

  @Test(arguments: ["fail-once", "429-once"])
  func transientErrorsAreRetried(_ behaviour: String) throws {
    let server = try FakeServer()
    let (image, target) = try Self.photo()
    let model = try model(server, "model=\(behaviour)&concurrency=3&retries=3")
    let answers = try model.answer(Self.cells.map { ModelQuestion.pixel(row: $0.0, col: $0.1) }, about: image)
    for ((row, col), answer) in zip(Self.cells, answers) {
      let (r, g, b) = target[row, col]
      #expect(answer == "[\(r),\(g),\(b)]")
    }
    // Every question failed once, then succeeded.
    #expect(try server.stats()["requests"] == 2 * Self.cells.count)
  }

  @Test func aServerThatNeverAnswersFailsWithTheURL() throws {
    let server = try FakeServer()
    let (image, _) = try Self.photo()
    let model = try model(server, "model=hang&timeout=1&retries=1")
    do {
      _ = try model.answer([.pixel(row: 1, col: 1)], about: image)
      Issue.record("a hanging server gave an answer")
    } catch let error as ModelError {
      #expect(error.code == .timeout || error.code == .transport)
      #expect(error.description.contains("127.0.0.1:\(server.port)"))
    }
  }

  @Test(arguments: [("garbage", ModelError.Code.badResponse), ("always-500", .server)])
  func badServersFailClearly(_ behaviour: String, _ code: ModelError.Code) throws {
    let server = try FakeServer()
    let (image, _) = try Self.photo()
    let model = try model(server, "model=\(behaviour)&retries=1")
    do {
      _ = try model.answer([.pixel(row: 1, col: 1)], about: image)
      Issue.record("\(behaviour) gave an answer")
    } catch let error as ModelError {
      #expect(error.code == code)
      #expect(error.description.contains("/v1/chat/completions"))
    }
    #expect(try server.stats()["requests"] == 2)
  }

  @Test func unparsableAnswersComeBackAsText() throws {
    let server = try FakeServer()
    let (image, _) = try Self.photo()
    let answers = try model(server, "model=nonsense").answer([.pixel(row: 1, col: 1)], about: image)
    #expect(answers == ["I cannot tell."])
    #expect(AnswerParser.pixel(answers[0]) == nil)
  }

  /// Regression (found by the hostile-input pipeline test): a byte-order mark at the start of
  /// an answer was dropped by the JSON parser, so a malformed answer parsed.
  @Test func answersArriveExactlyAsSent() throws {
    let server = try FakeServer()
    let (image, _) = try Self.photo()
    // The fake server's adversarial answers, by cell: (0, 16) is a BOM then [1,2,3], (0, 4) has
    // white space around it, (0, 11) ends in a NUL.
    let answers = try model(server, "model=adversarial").answer(
      [.pixel(row: 0, col: 16), .pixel(row: 0, col: 4), .pixel(row: 0, col: 11)], about: image)
    #expect(answers == ["\u{FEFF}[1,2,3]", " [1,2,3]\n", "[1,2,3]\u{0}"])
    #expect(AnswerParser.pixel(answers[0]) == nil)
    #expect(AnswerParser.pixel(answers[1])! == (1, 2, 3))
    #expect(AnswerParser.pixel(answers[2]) == nil)
  }

  @Test(arguments: [
    "openai:ftp://x/v1?model=m", "openai:http://127.0.0.1:1/v1", "openai:http://h/v1?model=m&template=weird",
    "openai:http://h/v1?model=m&concurrency=0", "openai:http://h/v1?model=m&bogus=1",
  ])
  func badURIsAreRefused(_ uri: String) {
    #expect(throws: ModelError.self) { try ModelFactory.make(uri) }
  }
}

/// `image_size`, `image_format` and `quality`: what the server receives, and the answers it can
/// give from it.
@Suite(.serialized) struct OpenAIImageSizingTests {
  @Test func theOriginalBytesByDefault() throws {
    let (image, _) = try OpenAIModelTests.photo()
    let encoding = try ImageEncoding(uri: ModelURI(parsing: "openai:http://h/v1?model=m"))
    #expect(encoding == ImageEncoding(size: nil, format: .original, quality: 90))
    #expect(try encoding.payload(image, model: "m").bytes == image.encoded)
  }

  @Test func aResizedPNGIsExactlyPillowsResize() throws {
    // image_size=64: the server gets the Pillow-made 64x64 target itself, and its answers are
    // exact; it reports a 64 x 64 PNG.
    let server = try FakeServer()
    let (image, target) = try OpenAIModelTests.photo()
    let model = try ModelFactory.make("openai:\(server.baseURL)?model=pixel&image_size=64")
    let answers = try model.answer(
      OpenAIModelTests.cells.map { ModelQuestion.pixel(row: $0.0, col: $0.1) }, about: image)
    for ((row, col), answer) in zip(OpenAIModelTests.cells, answers) {
      let (r, g, b) = target[row, col]
      #expect(answer == "[\(r),\(g),\(b)]")
    }
    let stats = try server.stats()
    #expect(stats["image:64x64"] == 1 && stats["format:png"] == 1 && stats["image:512x384"] == nil)
    let png = try ImageEncoding(size: 64, format: .png).payload(image, model: "m")
    #expect(png.mimeType == "image/png")
    #expect(try ImageDecoder.decode(png.bytes, name: "sent") == target)
  }

  @Test func aJPEGIsCloseAndSmaller() throws {
    let server = try FakeServer()
    let (image, target) = try OpenAIModelTests.photo()
    let model = try ModelFactory.make(
      "openai:\(server.baseURL)?model=pixel&image_size=64&image_format=jpeg&quality=95")
    let answers = try model.answer(
      OpenAIModelTests.cells.map { ModelQuestion.pixel(row: $0.0, col: $0.1) }, about: image)
    #expect(try server.stats()["format:jpeg"] == 1)
    let sent = try ImageEncoding(size: 64, format: .jpeg, quality: 95).payload(image, model: "m")
    #expect(sent.mimeType == "image/jpeg" && sent.bytes.starts(with: [0xFF, 0xD8]))
    let decoded = try ImageDecoder.decode(sent.bytes, name: "sent")
    // Lossy, but close: the mean error over the whole 64 x 64 image is a few levels.
    let error = zip(decoded.pixels, target.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
    #expect(Double(error) / Double(target.pixels.count) < 4)
    // The server answers from what it received.
    for ((row, col), answer) in zip(OpenAIModelTests.cells, answers) {
      let (r, g, b) = decoded[row, col]
      #expect(answer == "[\(r),\(g),\(b)]")
    }
    let png = try ImageEncoding(size: 64, format: .png).payload(image, model: "m")
    #expect(sent.bytes.count < png.bytes.count)
  }

  @Test(arguments: [
    ("image_size=0", "image_size=0 must be an integer in 1...8192"),
    ("image_size=big", "image_size=big must be an integer"),
    ("image_format=gif", "image_format=gif must be original, png or jpeg"),
    ("image_size=448&image_format=original", "image_size needs image_format=png or jpeg"),
    ("quality=80", "quality= applies to image_format=jpeg only"),
    ("image_format=jpeg&quality=101", "quality=101 must be an integer in 1...100"),
  ])
  func badImageOptionsAreRefused(option: String, message: String) throws {
    let error = try #require(throws: ModelError.self) {
      try ModelFactory.make("openai:http://127.0.0.1:9/v1?model=m&\(option)")
    }
    #expect(error.code == .badURI && error.description.contains(message), "\(error)")
  }
}

/// The request shapes and answers of the servers people run, each mode of the test server
/// standing for one: a content list of parts, `finish_reason: length`, error bodies with 413,
/// 400 and 404, a connection cut mid-body, a slow first byte, the names of optional fields.
@Suite(.serialized) struct OpenAIServerCompatibilityTests {
  func ask(_ server: FakeServer, _ options: String) throws -> [String] {
    let (image, _) = try OpenAIModelTests.photo()
    let model = try ModelFactory.make("openai:\(server.baseURL)?\(options)")
    return try model.answer(
      OpenAIModelTests.cells.map { ModelQuestion.pixel(row: $0.0, col: $0.1) }, about: image)
  }

  func expectTrueColours(_ answers: [String]) throws {
    let (_, target) = try OpenAIModelTests.photo()
    for ((row, col), answer) in zip(OpenAIModelTests.cells, answers) {
      let (r, g, b) = target[row, col]
      #expect(answer == "[\(r),\(g),\(b)]")
    }
  }

  @Test func contentAsAListOfPartsIsJoined() throws {
    try expectTrueColours(try ask(FakeServer(), "model=parts"))
  }

  @Test func aLengthCutAnswerComesBackAsText() throws {
    #expect(
      try ask(FakeServer(), "model=length") == Array(repeating: "[12,", count: OpenAIModelTests.cells.count))
  }

  @Test(arguments: [
    ("too-large", "HTTP 413: Request body too large"),
    ("context", "HTTP 400: This model's maximum context length is 2048 tokens"),
    ("missing-model", #"HTTP 404: model "missing-model" not found"#),
  ])
  func refusalsArePermanentWithTheServersMessage(mode: String, message: String) throws {
    let server = try FakeServer()
    let error = try #require(throws: ModelError.self) {
      try ask(server, "model=\(mode)&concurrency=1&retries=3")
    }
    #expect(error.code == .rejected && !error.isTransient)
    #expect(
      error.description.contains(server.baseURL + "/chat/completions") && error.description.contains(message))
    // Not retried: one request per question until the first refusal.
    #expect(try server.stats()["requests"] == 1)
  }

  @Test func aConnectionCutMidBodyIsRetried() throws {
    let server = try FakeServer()
    try expectTrueColours(try ask(server, "model=close-once&concurrency=2"))
    let stats = try server.stats()
    #expect(
      stats["cut"] == OpenAIModelTests.cells.count && stats["requests"] == 2 * OpenAIModelTests.cells.count)
  }

  @Test func aSlowFirstByteTimesOutAndIsRetried() throws {
    let server = try FakeServer()
    try expectTrueColours(try ask(server, "model=slow-once&concurrency=6&timeout=1"))
    #expect(try server.stats()["slow"] == OpenAIModelTests.cells.count)
  }

  @Test func theLengthFieldAndSeedAsTheServerNamesThem() throws {
    let server = try FakeServer()
    _ = try ask(server, "model=pixel&max_tokens_field=max_completion_tokens&seed=7")
    let stats = try server.stats()
    #expect(stats["field:max_completion_tokens"] == OpenAIModelTests.cells.count)
    #expect(stats["field:max_tokens"] == nil && stats["field:seed"] == OpenAIModelTests.cells.count)
    let error = try #require(throws: ModelError.self) {
      try ModelFactory.make("openai:\(server.baseURL)?model=m&max_tokens_field=tokens")
    }
    #expect(error.code == .badURI)
  }
}
