import Foundation
import Imaging
import Model
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// `fake-vlm [--port N]`: an OpenAI-compatible chat-completions server on 127.0.0.1 that answers
/// `[reconstruct]` questions with the true colour of the image it was sent (resized to 64 x 64 as
/// Pillow does), so a test proves the image and the question really travelled. The requested
/// model name picks a behaviour:
///   pixel        the true colour                   nonsense   200 with an unparsable answer
///   fail-once    500 the first time per question    garbage    200 with a body that is not JSON
///   429-once     429 + Retry-After: 1 the first time per question
///   hang         never answers                      always-500 always 500
///   refer        `[refer]` questions: `{<10><20><60><80>}`; `[segmentation]` questions: `1` where
///                row + col is even, else `0` (checks that both prompts and the image travel)
///   slow         the true colour after 20 ms        hang-once  never answers the first request
///                                                              about each image, then as pixel
///   fail-tiny    500 for images under 16 x 16 (a poisoned shard), the true colour otherwise
///   adversarial  malformed answers (see `adversarialAnswers`), picked by the cell asked
///   game         game questions (`[carracing]`, `[spaceinvaders]`): the action number
///                (mean byte of the last image's RGB pixels) modulo the number of actions listed,
///                if the message holds the game's frame count (2 or 4), else an unparsable
///                `got N images` (proves every frame and the question travelled)
///   parts        the true colour as a `content` list of two text parts (vLLM, SGLang style)
///   length       `finish_reason: length` with the answer cut to 4 characters
///   too-large    413 with an OpenAI-style error body      context    400, vLLM's "maximum
///   missing-model 404, Ollama's "model not found" body               context length" body
///   close-once   the first reply per question is cut mid-body and the connection closed
///   slow-once    the first reply per question waits 2.5 s before its first byte
///   vqa          VQA questions: `True.` when the question asks "true or false", `(A)` when it
///                lists options, else `Yes` (each scorable; `no image` without an image)
/// It prints `listening on PORT` once ready. GET /stats gives request counts as JSON, and the
/// size (`image:WxH`) and format (`format:png|jpeg`) of each distinct image received.
@main
struct FakeVLMServer {
  static func main() throws {
    // A parent may have spawned us with signals blocked (threads of test runners block them):
    // unblock them so SIGTERM ends the server.
    var all = sigset_t()
    sigfillset(&all)
    sigprocmask(SIG_UNBLOCK, &all, nil)
    var port: UInt16 = 0
    var arguments = CommandLine.arguments.dropFirst()
    while let argument = arguments.popFirst() {
      switch argument {
      case "--port":
        guard let value = arguments.popFirst().flatMap(UInt16.init) else {
          fail("--port takes a number from 0 to 65535")
        }
        port = value
      case "--help", "-h":
        print("usage: fake-vlm [--port N]   (0 = any free port; prints 'listening on PORT')")
        return
      default:
        fail("unknown option \(argument)")
      }
    }
    let server = try HTTPServer(port: port)
    // Written straight to the descriptor so the test that started us sees it at once.
    FileHandle.standardOutput.write(Data("listening on \(server.port)\n".utf8))
    server.run(handler: ChatHandler())
  }

  static func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("fake-vlm: \(message)\n".utf8))
    exit(2)
  }
}

/// Answers chat completions.
final class ChatHandler: Sendable {
  private let seen = Mutex<Set<String>>([])
  private let counts = Mutex<[String: Int]>([:])
  private let targets = Mutex<[Int: (target: RGBImage, width: Int)]>([:])

  func count(_ key: String) { counts.withLock { $0[key, default: 0] += 1 } }

  static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard haystack.count >= needle.count, let first = needle.first else { return false }
    var i = 0
    while i <= haystack.count - needle.count {
      if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
      i += 1
    }
    return false
  }

  /// True the first time `key` is seen.
  func firstTime(_ key: String) -> Bool { seen.withLock { $0.insert(key).inserted } }

  func handle(method: String, path: String, body: [UInt8]) -> HTTPResponse? {
    if method == "GET" && path == "/stats" {
      let json = counts.withLock { try? JSONSerialization.data(withJSONObject: $0) } ?? Data()
      return HTTPResponse(status: 200, body: [UInt8](json))
    }
    guard method == "POST", path.hasSuffix("/chat/completions") else {
      return HTTPResponse(status: 404, body: Array(#"{"error":"not found"}"#.utf8))
    }
    count("requests")
    guard let request = ChatRequest(fast: body) ?? ChatRequest(json: body) else {
      return HTTPResponse(status: 400, body: Array(#"{"error":"bad request"}"#.utf8))
    }
    let (model, text) = (request.model, request.text)
    count("model:\(model)")
    // Which optional fields the client sent (servers differ in what they take).
    for field in ["max_completion_tokens", "max_tokens", "seed"]
    where Self.find(body, Array("\"\(field)\":".utf8)) {
      count("field:\(field)")
    }
    switch model {
    case "hang":
      Thread.sleep(forTimeInterval: 3600)
      return nil
    case "always-500":
      return HTTPResponse(status: 500, body: Array(#"{"error":"boom"}"#.utf8))
    case "fail-once" where firstTime(text):
      count("errors:500")
      return HTTPResponse(status: 500, body: Array(#"{"error":"transient"}"#.utf8))
    case "429-once" where firstTime(text):
      count("errors:429")
      return HTTPResponse(
        status: 429, headers: ["Retry-After": "1"], body: Array(#"{"error":"slow down"}"#.utf8))
    case "garbage":
      return HTTPResponse(status: 200, body: Array("this is not json at all".utf8))
    case "slow":
      Thread.sleep(forTimeInterval: 0.02)
    case "hang-once" where firstTime("image:\(request.imageBase64.hashValue)"):
      count("hung")
      Thread.sleep(forTimeInterval: 3600)
      return nil
    case "adversarial":
      guard let (row, col) = Self.location(in: text) else { return completion("no location") }
      return completion(Self.adversarialAnswers[(row * 64 + col) % Self.adversarialAnswers.count])
    case "fail-tiny" where (decoded(request)?.width ?? 0) < 16:
      count("errors:500")
      return HTTPResponse(status: 500, body: Array(#"{"error":"cannot see tiny images"}"#.utf8))
    case "nonsense":
      return completion("I cannot tell.")
    case "game":
      return completion(Self.gameAnswer(text: text, images: request.images))
    case "parts":
      guard let target = decoded(request)?.target, let (row, col) = Self.location(in: text) else {
        return completion("no image or location")
      }
      let (r, g, b) = target[row, col]
      let answer = TaskFormat.pixelAnswer(r: r, g: g, b: b)
      let cut = answer.index(answer.startIndex, offsetBy: 3)
      return completion(parts: [String(answer[..<cut]), String(answer[cut...])])
    case "length":
      return completion("[12,345,6]".prefix(4).description, finishReason: "length")
    case "too-large":
      count("errors:413")
      return HTTPResponse(
        status: 413,
        body: Array(
          #"{"error":{"message":"Request body too large: \#(body.count) bytes","type":"invalid_request_error","code":413}}"#
            .utf8))
    case "context":
      count("errors:400")
      return HTTPResponse(
        status: 400,
        body: Array(
          #"{"object":"error","message":"This model's maximum context length is 2048 tokens. However, you requested 4107 tokens.","type":"BadRequestError","param":null,"code":400}"#
            .utf8))
    case "missing-model":
      count("errors:404")
      return HTTPResponse(
        status: 404,
        body: Array(
          #"{"error":{"message":"model \"missing-model\" not found, try pulling it first","type":"api_error"}}"#
            .utf8))
    case "close-once" where firstTime(text):
      count("cut")
      var response = completion("[1,2,3]")
      response.cutAfter = 5
      return response
    case "slow-once" where firstTime(text):
      count("slow")
      Thread.sleep(forTimeInterval: 2.5)
    case "close-once", "slow-once":
      break
    case "vqa":
      guard !request.imageBase64.isEmpty else { return completion("no image") }
      if text.contains("true or false") { return completion("True.") }
      return completion(text.contains(" Options: (A) ") ? "(A)" : "Yes")
    case "refer":
      guard !request.imageBase64.isEmpty else { return completion("no image") }
      if text.hasPrefix(TaskFormat.referQuestion(sentence: "")) {
        return completion("{<10><20><60><80>}")
      }
      guard text.hasPrefix("[segmentation] "), let (row, col) = Self.location(in: text) else {
        return completion("unexpected question")
      }
      return completion((row + col) % 2 == 0 ? "1" : "0")
    default:
      break
    }
    guard let target = decoded(request)?.target else {
      return completion("no image")
    }
    guard let (row, col) = Self.location(in: text), row < target.height, col < target.width else {
      return completion("no location")
    }
    let (r, g, b) = target[row, col]
    return completion(TaskFormat.pixelAnswer(r: r, g: g, b: b))
  }

  /// The 64 x 64 target of the image sent and its width, cached by the hash of its base64 text
  /// (so a repeated image is neither decoded from base64 nor from JPEG again).
  func decoded(_ request: ChatRequest) -> (target: RGBImage, width: Int)? {
    guard !request.imageBase64.isEmpty else { return nil }
    let key = request.imageBase64.hashValue
    if let cached = targets.withLock({ $0[key] }) { return cached }
    guard let data = Data(base64Encoded: Data(request.imageBase64)),
      let image = try? ImageDecoder.decode([UInt8](data), name: "request")
    else { return nil }
    let entry = (target: Resampler.bicubic(image, width: 64, height: 64), width: image.width)
    // What arrived, for tests of the client's image sizing: counted once per distinct image
    // (requests about one image race here; the first to store it counts it).
    let isNew = targets.withLock { cache -> Bool in
      guard cache[key] == nil else { return false }
      cache[key] = entry
      return true
    }
    if isNew {
      count("image:\(image.width)x\(image.height)")
      count(
        data.starts(with: [0x89, 0x50, 0x4E, 0x47])
          ? "format:png" : data.starts(with: [0xFF, 0xD8]) ? "format:jpeg" : "format:other")
    }
    return entry
  }

  /// Answers a strict parser must refuse, and three it must accept (all meaning [1,2,3]): the
  /// answer to cell (row, col) is number (row * 64 + col) modulo the count.
  static let adversarialAnswers = [
    "[1,2,3]", "[1,2,3,4]", "[256,0,0]", "[-1,0,0]", " [1,2,3]\n", "1,2,3", "[1, 2, 3]",
    "[\u{661},\u{662},\u{663}]", "[0x1,2,3]", "", String(repeating: "[", count: 100_000),
    "[1,2,3]\u{0}", "[001,002,003]", "\u{200B}[1,2,3]", "[\u{FF11},\u{FF12},\u{FF13}]",
    "[1,2,3] [4,5,6]", "\u{FEFF}[1,2,3]", "[1,2,3]'; DROP TABLE jobs; --",
  ]

  /// The `game` model's answer (see the type's comment).
  static func gameAnswer(text: String, images: [ArraySlice<UInt8>]) -> String {
    let expected = text.contains("[carracing]") ? 2 : text.contains("[spaceinvaders]") ? 4 : 0
    guard expected > 0, text.contains("choose an action from Action Space:") else {
      return "not a game question"
    }
    guard images.count == expected else { return "got \(images.count) images" }
    guard let data = Data(base64Encoded: Data(images[images.count - 1])),
      let image = try? ImageDecoder.decode([UInt8](data), name: "frame")
    else { return "undecodable frame" }
    // Actions listed as `[0: NOOP, 1: ...]`; without a list, the game's default action set.
    var actions = expected == 2 ? 5 : 6
    if let open = text.range(of: "Action Space: ["), let close = text[open.upperBound...].firstIndex(of: "]")
    {
      actions = text[open.upperBound..<close].split(separator: ",").count
    }
    let mean = image.pixels.reduce(0) { $0 + Int($1) } / max(1, image.pixels.count)
    return "\(mean % max(1, actions))"
  }

  /// `loc: [a,b]` of the question (row first, as PixelProbe asks by default).
  static func location(in text: String) -> (Int, Int)? {
    guard let start = text.range(of: "loc: [") else { return nil }
    let rest = text[start.upperBound...]
    guard let end = rest.firstIndex(of: "]") else { return nil }
    let numbers = rest[..<end].split(separator: ",").compactMap { Int($0) }
    return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
  }

  func completion(_ answer: String, finishReason: String = "stop") -> HTTPResponse {
    completion(content: answer, finishReason: finishReason)
  }

  /// `content` as a list of text parts, as some servers send it.
  func completion(parts: [String]) -> HTTPResponse {
    completion(content: parts.map { ["type": "text", "text": $0] }, finishReason: "stop")
  }

  func completion(content: Any, finishReason: String) -> HTTPResponse {
    let object: [String: Any] = [
      "id": "chatcmpl-fake", "object": "chat.completion", "model": "fake",
      "choices": [
        ["index": 0, "finish_reason": finishReason, "message": ["role": "assistant", "content": content]]
      ],
      "usage": ["prompt_tokens": 90, "completion_tokens": 6, "total_tokens": 96],
    ]
    return HTTPResponse(
      status: 200, body: [UInt8]((try? JSONSerialization.data(withJSONObject: object)) ?? Data()))
  }
}
