import Dispatch
public import Foundation
import Synchronization

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Any OpenAI-compatible chat-completions server with image input (vLLM, SGLang, llama.cpp
/// server, Ollama...): one request per question, the image as a base64 data URL, the paper's
/// question as the text. Up to `concurrency` requests in flight; 429 (honouring Retry-After), 5xx,
/// timeouts and connection errors are retried with capped exponential backoff.
///
/// The image goes as the original file's bytes unless `image_size=N` resizes it to N x N as the
/// model's processor would (Pillow BICUBIC, as MiniGPT-v2's `Resize((448, 448), BICUBIC)` does on
/// a PIL image), or `image_format=png|jpeg` (`quality=Q` for JPEG, default 90) re-encodes it.
public final class OpenAIModel: VisionLanguageModel, Sendable {
  public enum Template: String, Sendable {
    /// The question alone; the server applies its own chat template.
    case plain
    /// MiniGPT-v2's `[INST] <Img><ImageHere></Img> {question} [/INST]` as the text.
    case minigptv2
  }

  public let uri: String
  public let endpoint: URL
  public let modelName: String
  public let template: Template
  public let concurrency: Int
  public let timeout: Double
  public let retries: Int
  public let maxTokens: Int
  public let imageEncoding: ImageEncoding
  /// `max_tokens` (most servers) or `max_completion_tokens` (OpenAI's newer name).
  public let maxTokensField: String
  /// Sent as `seed` when given (vLLM, llama.cpp and OpenAI take it; greedy decoding needs none).
  public let seed: Int?
  private let session: URLSession

  public init(uri: ModelURI) throws(ModelError) {
    try uri.allowOnly([
      "model", "template", "concurrency", "timeout", "retries", "max_tokens", "image_size", "image_format",
      "quality", "max_tokens_field", "seed",
    ])
    guard let base = URL(string: uri.target), let scheme = base.scheme,
      scheme == "http" || scheme == "https", base.host != nil
    else {
      throw ModelError(.badURI, model: uri.description, "'\(uri.target)' is not an http(s) base URL")
    }
    guard let model = uri.query["model"], !model.isEmpty else {
      throw ModelError(.badURI, model: uri.description, "needs ?model=NAME")
    }
    guard let template = Template(rawValue: uri.query["template"] ?? "plain") else {
      throw ModelError(.badURI, model: uri.description, "template must be plain or minigptv2")
    }
    self.uri = uri.description
    self.endpoint = base.appendingPathComponent("chat/completions")
    self.modelName = model
    self.template = template
    self.concurrency = try uri.int("concurrency", default: 8, in: 1...1024)
    self.timeout = Double(try uri.int("timeout", default: 60, in: 1...3600))
    self.retries = try uri.int("retries", default: 4, in: 0...100)
    self.maxTokens = try uri.int("max_tokens", default: 16, in: 1...4096)
    self.imageEncoding = try ImageEncoding(uri: uri)
    let field = uri.query["max_tokens_field"] ?? "max_tokens"
    guard field == "max_tokens" || field == "max_completion_tokens" else {
      throw ModelError(
        .badURI, model: uri.description, "max_tokens_field must be max_tokens or max_completion_tokens")
    }
    self.maxTokensField = field
    self.seed = uri.query["seed"] == nil ? nil : try uri.int("seed", default: 0, in: 0...Int(Int32.max))
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = timeout
    configuration.httpMaximumConnectionsPerHost = concurrency
    self.session = URLSession(configuration: configuration)
  }

  // No invalidateAndCancel() in deinit: the last reference can drop inside one of the session's
  // own callbacks, and invalidating from there deadlocks. Models are cached per process anyway.

  /// The text part of the message for one question.
  public func prompt(_ question: ModelQuestion) -> String {
    switch template {
    case .plain: question.text
    case .minigptv2: TaskFormat.minigptPrompt(question.text)
    }
  }

  /// The request body around the question, built once per image: the image's base64 data URL
  /// is tens of kilobytes, and serialising it once per question would cost more than the rest of
  /// the pipeline together.
  struct BodyTemplate {
    var prefix: Data
    var suffix: Data

    func body(text: String) -> Data {
      var body = prefix
      body.append(contentsOf: Array(jsonLiteral(text).utf8))
      body.append(suffix)
      return body
    }
  }

  func template(dataURL: String) -> BodyTemplate {
    // The data URL holds only base64 characters and `data:image/...;base64,`: nothing to escape.
    let prefix =
      #"{"model":\#(jsonLiteral(modelName)),\#(generationFields),"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"\#(dataURL)"}},{"type":"text","text":"#
    return BodyTemplate(prefix: Data(prefix.utf8), suffix: Data("}]}]}".utf8))
  }

  /// Temperature 0, the answer's length limit under the server's name for it, and the seed.
  var generationFields: String {
    #""temperature":0,"\#(maxTokensField)":\#(maxTokens)"# + (seed.map { #","seed":\#($0)"# } ?? "")
  }

  public func answer(_ questions: [ModelQuestion], about image: ModelImage) throws -> [String] {
    let (bytes, mimeType) = try imageEncoding.payload(image, model: uri)
    let dataURL = "data:\(mimeType);base64,\(Data(bytes).base64EncodedString())"
    let template = template(dataURL: dataURL)
    let results = Mutex<[Result<String, ModelError>?]>(Array(repeating: nil, count: questions.count))
    // The first failure that no retry can mend (a refusal, retries spent) ends the batch: the
    // questions not yet sent would fail the same way.
    let failed = Mutex<ModelError?>(nil)
    let slots = DispatchSemaphore(value: concurrency)
    let group = DispatchGroup()
    for (n, question) in questions.enumerated() {
      slots.wait()
      if failed.withLock({ $0 != nil }) {
        slots.signal()
        break
      }
      group.enter()
      let body = template.body(text: prompt(question))
      send(body, attempt: 0) { result in
        results.withLock { $0[n] = result }
        if case .failure(let error) = result { failed.withLock { $0 = $0 ?? error } }
        slots.signal()
        group.leave()
      }
    }
    group.wait()
    if let error = failed.withLock({ $0 }) { throw error }
    return try results.withLock { all in
      try all.map { result throws(ModelError) -> String in try result!.get() }
    }
  }

  /// One request with its retries; `done` is called exactly once.
  func send(
    _ body: Data, attempt: Int, done: @escaping @Sendable (Result<String, ModelError>) -> Void
  ) {
    var request = URLRequest(url: endpoint)
    request.httpMethod = "POST"
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.httpBody = body
    request.timeoutInterval = timeout
    let task = session.dataTask(with: request) { [self] data, response, error in
      let outcome = classify(data: data, response: response, error: error)
      switch outcome {
      case .success(let text):
        done(.success(text))
      case .failure(let failure):
        guard failure.retryable, attempt < retries else {
          done(.failure(failure.error))
          return
        }
        let delay = failure.retryAfter ?? min(8, 0.25 * pow(2, Double(attempt)))
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [self] in
          send(body, attempt: attempt + 1, done: done)
        }
      }
    }
    task.resume()
  }

  struct Failure: Error {
    var error: ModelError
    var retryable: Bool
    var retryAfter: Double?
  }

  private func classify(data: Data?, response: URLResponse?, error: (any Error)?) -> Result<
    String, Failure
  > {
    let url = endpoint.absoluteString
    if let error {
      let nsError = error as NSError
      let timedOut = nsError.code == NSURLErrorTimedOut
      return .failure(
        Failure(
          error: ModelError(
            timedOut ? .timeout : .transport, model: uri,
            "\(url): \(timedOut ? "no answer within \(Int(timeout)) s" : nsError.localizedDescription)"),
          retryable: true))
    }
    guard let http = response as? HTTPURLResponse else {
      return .failure(
        Failure(error: ModelError(.transport, model: uri, "\(url): no HTTP response"), retryable: true))
    }
    guard http.statusCode == 200 else {
      let message = Self.serverMessage(data ?? Data())
      let retryAfter = (http.value(forHTTPHeaderField: "Retry-After")).flatMap(Double.init)
      let retryable = http.statusCode == 429 || http.statusCode >= 500 || http.statusCode == 408
      return .failure(
        Failure(
          error: ModelError(
            retryable ? .server : .rejected, model: uri, "\(url): HTTP \(http.statusCode): \(message)"),
          retryable: retryable, retryAfter: retryAfter.map { min($0, 60) }))
    }
    guard let data,
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let choices = object["choices"] as? [[String: Any]], let first = choices.first,
      let message = first["message"] as? [String: Any]
    else {
      let snippet = String(decoding: (data ?? Data()).prefix(200), as: UTF8.self)
      return .failure(
        Failure(
          error: ModelError(.badResponse, model: uri, "\(url): not a chat completion: \(snippet)"),
          retryable: true))
    }
    // The content as the server sent it: JSONSerialization drops a raw U+FEFF at the start of a
    // string (swift-corelibs-foundation), JSONDecoder keeps it. A null or non-string content is
    // an answer that does not parse, not a transport failure.
    let exact = try? JSONDecoder().decode(CompletionContent.self, from: data)
    if let text = exact?.choices.first?.message.content ?? message["content"] as? String {
      return .success(text)
    }
    // A list of parts (vLLM, SGLang): their texts in order.
    if let parts = message["content"] as? [[String: Any]] {
      return .success(parts.compactMap { $0["text"] as? String }.joined())
    }
    return .success("")
  }

  /// The server's own words from an error body: OpenAI's and llama.cpp's `error.message`, an
  /// `error` string, vLLM's and Ollama's `message`, FastAPI's `detail`; else the body's start.
  static func serverMessage(_ data: Data) -> String {
    let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    let error = object?["error"]
    let text =
      (error as? [String: Any])?["message"] as? String ?? error as? String ?? object?["message"] as? String
      ?? object?["detail"] as? String
    return String((text ?? String(decoding: data.prefix(200), as: UTF8.self)).prefix(300))
  }
}

/// Just the answer text of a chat completion.
private struct CompletionContent: Decodable {
  struct Choice: Decodable {
    struct Message: Decodable { var content: String? }
    var message: Message
  }
  var choices: [Choice]
}
