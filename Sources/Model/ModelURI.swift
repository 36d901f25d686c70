/// A model address: `scheme:rest?key=value&...`.
///
/// `baseline:mean`, `baseline:thumbnail?k=8`, `baseline:oracle`, `native:models/x.safetensors`,
/// `native:random?seed=1&size=tiny`, `openai:http://127.0.0.1:8000/v1?model=m&template=minigptv2`.
public struct ModelURI: Sendable, Equatable, CustomStringConvertible {
  public var scheme: String
  /// What follows the scheme, without the query (a baseline name, a path, a base URL).
  public var target: String
  public var query: [String: String]
  public let description: String

  public init(parsing text: String) throws(ModelError) {
    guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
      throw ModelError(.badURI, model: text, "expected scheme:target (baseline:, native: or openai:)")
    }
    scheme = String(text[..<colon])
    let rest = text[text.index(after: colon)...]
    if let mark = rest.firstIndex(of: "?") {
      target = String(rest[..<mark])
      query = [:]
      for pair in rest[rest.index(after: mark)...].split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty else {
          throw ModelError(.badURI, model: text, "query item '\(pair)' is not key=value")
        }
        guard query[String(parts[0])] == nil else {
          throw ModelError(.badURI, model: text, "query key '\(parts[0])' given twice")
        }
        query[String(parts[0])] = String(parts[1])
      }
    } else {
      target = String(rest)
      query = [:]
    }
    guard !target.isEmpty else { throw ModelError(.badURI, model: text, "nothing after '\(scheme):'") }
    description = text
  }

  /// An integer query value within bounds, or the default.
  public func int(_ key: String, default value: Int, in range: ClosedRange<Int>) throws(ModelError) -> Int {
    guard let text = query[key] else { return value }
    guard let number = Int(text), range.contains(number) else {
      throw ModelError(
        .badURI, model: description,
        "\(key)=\(text) must be an integer in \(range.lowerBound)...\(range.upperBound)")
    }
    return number
  }

  /// Refuses query keys the backend does not know (a typo must not be silently ignored).
  public func allowOnly(_ keys: Set<String>) throws(ModelError) {
    for key in query.keys where !keys.contains(key) {
      throw ModelError(
        .badURI, model: description,
        "unknown option '\(key)' (known: \(keys.sorted().joined(separator: ", ")))")
    }
  }
}
