/// A statement parameter. Everything but `bytes` is sent in text format (the server casts it to
/// the parameter's type); `bytes` is sent binary, for `bytea`.
public enum PGValue: Sendable, Hashable {
  case null
  case text(String)
  case int(Int64)
  case double(Double)
  case bool(Bool)
  case bytes([UInt8])

  /// A PostgreSQL array literal (`{1,2,3}`) for `$n::bigint[]` / `$n::int[]`.
  public static func array(_ values: [some BinaryInteger]) -> PGValue {
    .text("{" + values.map { String($0) }.joined(separator: ",") + "}")
  }

  /// A PostgreSQL array literal of quoted strings, `nil` elements as NULL, for `$n::text[]`.
  public static func array(_ values: [String?]) -> PGValue {
    let elements = values.map { value -> String in
      guard let value else { return "NULL" }
      var quoted = "\""
      for character in value {
        if character == "\"" || character == "\\" { quoted.append("\\") }
        quoted.append(character)
      }
      return quoted + "\""
    }
    return .text("{" + elements.joined(separator: ",") + "}")
  }

  /// A PostgreSQL array literal of strings, for `$n::text[]`.
  public static func array(_ values: [String]) -> PGValue {
    array(values.map { Optional($0) })
  }

  /// `nil` becomes NULL.
  public static func optional(_ value: String?) -> PGValue { value.map(PGValue.text) ?? .null }
  /// `nil` becomes NULL.
  public static func optional(_ value: Int64?) -> PGValue { value.map(PGValue.int) ?? .null }
}

extension PGValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
  public init(stringLiteral value: String) { self = .text(value) }
  public init(integerLiteral value: Int64) { self = .int(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(nilLiteral: ()) { self = .null }
}

extension PGValue {
  /// The wire form: bytes, and whether they are binary (format 1) or text (format 0).
  var wire: (bytes: [UInt8], binary: Bool)? {
    switch self {
    case .null: return nil
    case .text(let s): return (Array(s.utf8), false)
    case .int(let v): return (Array(String(v).utf8), false)
    case .double(let v):
      if v.isNaN { return (Array("NaN".utf8), false) }
      if v.isInfinite { return (Array((v > 0 ? "Infinity" : "-Infinity").utf8), false) }
      return (Array("\(v)".utf8), false)
    case .bool(let v): return (v ? [UInt8(ascii: "t")] : [UInt8(ascii: "f")], false)
    case .bytes(let b): return (b, true)
    }
  }
}
