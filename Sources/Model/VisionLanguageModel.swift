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
    case badURI, badWeights, unsupportedTask, transport, server, timeout, badResponse
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
}
