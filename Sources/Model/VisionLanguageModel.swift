/// A model that answers questions about an image with text.
///
/// Every backend takes a batch of questions about ONE image, so image encoding and shared prompt
/// prefixes are paid once per image. Answers come back as raw text, in question order, and go
/// through the same strict parsers whichever backend produced them.
public protocol VisionLanguageModel: Sendable {
  /// The URI this model was made from (recorded with results).
  var uri: String { get }
  func answer(_ questions: [ModelQuestion], about image: ModelImage) throws -> [String]
}

/// A model failure: a stable code and context (which model, which image, the last error).
public struct ModelError: Error, CustomStringConvertible, Sendable {
  public enum Code: String, Sendable {
    /// `server`: the server failed (5xx, 429, 408) and may do better later; `rejected`: it
    /// refused the request for good (another 4xx: unknown model, body too large, context too
    /// long), so no retry can help.
    case badURI, badWeights, unsupportedTask, transport, server, timeout, badResponse, rejected
  }
  public var code: Code
  public var model: String
  public var detail: String
  public init(_ code: Code, model: String, _ detail: String) {
    self.code = code
    self.model = model
    self.detail = detail
  }
  public var description: String { "model \(model): \(code.rawValue): \(detail)" }

  /// Whether the same call may succeed later: the shard is retried rather than failed for good.
  public var isTransient: Bool { code == .transport || code == .server || code == .timeout }
}
