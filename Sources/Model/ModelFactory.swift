import Synchronization

/// Builds models from URIs, and keeps one instance per URI per process (weights load once per
/// worker, not once per shard).
public enum ModelFactory {
  private static let cache = Mutex<[String: any VisionLanguageModel]>([:])

  /// A model for `uri`, built once per process.
  public static func model(_ uri: String) throws -> any VisionLanguageModel {
    if let cached = cache.withLock({ $0[uri] }) { return cached }
    let made = try make(uri)
    return cache.withLock { models in
      if let raced = models[uri] { return raced }
      models[uri] = made
      return made
    }
  }

  /// A new model for `uri`.
  public static func make(_ uri: String) throws -> any VisionLanguageModel {
    let parsed = try ModelURI(parsing: uri)
    switch parsed.scheme {
    case "baseline":
      return try BaselineModel(uri: parsed)
    case "openai":
      return try OpenAIModel(uri: parsed)
    case "native":
      return try NativeModel(uri: parsed)
    default:
      throw ModelError(
        .badURI, model: uri, "unknown scheme '\(parsed.scheme)' (known: baseline, native, openai)")
    }
  }

  /// Everything that can be checked without running the model: the URI's form and options, and
  /// for `native:` that the weights file matches its configuration. Used at enqueue time so a bad
  /// model fails the enqueue, not the workers.
  public static func validate(_ uri: String) throws {
    _ = try make(uri)
  }
}
