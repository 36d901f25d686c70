/// Strict parsers for the paper's answers. Anything else is "unparsable" and is counted.
public enum AnswerParser {
  /// `[r,g,b]` with three ASCII decimal integers 0...255, no spaces, nothing before or after.
  /// Surrounding white space (a trailing newline from a chat model) is tolerated.
  public static func pixel(_ text: Substring) -> (r: UInt8, g: UInt8, b: UInt8)? {
    let bytes = Array(trimmed(text).utf8)
    guard bytes.count >= 7, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]")
    else { return nil }
    var values: [UInt8] = []
    var current = -1
    var digits = 0
    for byte in bytes[1..<(bytes.count - 1)] {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        digits += 1
        guard digits <= 3 else { return nil }
        current = (current < 0 ? 0 : current) * 10 + Int(byte - UInt8(ascii: "0"))
      case UInt8(ascii: ","):
        guard current >= 0, current <= 255, values.count < 2 else { return nil }
        values.append(UInt8(current))
        current = -1
        digits = 0
      default:
        return nil
      }
    }
    guard current >= 0, current <= 255, values.count == 2 else { return nil }
    return (values[0], values[1], UInt8(current))
  }

  public static func pixel(_ text: String) -> (r: UInt8, g: UInt8, b: UInt8)? {
    pixel(text[...])
  }

  /// `0` or `1`.
  public static func mask(_ text: String) -> Bool? {
    switch trimmed(text[...]) {
    case "0": false
    case "1": true
    default: nil
    }
  }

  static func trimmed(_ text: Substring) -> Substring {
    var s = text
    while let c = s.first, c == " " || c == "\n" || c == "\t" || c == "\r" { s.removeFirst() }
    while let c = s.last, c == " " || c == "\n" || c == "\t" || c == "\r" { s.removeLast() }
    return s
  }
}
