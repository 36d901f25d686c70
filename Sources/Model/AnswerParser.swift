/// Strict parsers for the paper's answers. Anything else is "unparsable" and is counted.
public enum AnswerParser {
  /// `[r,g,b]` with three ASCII decimal integers 0...255, no spaces, nothing before or after.
  /// Surrounding white space (a trailing newline from a chat model) is tolerated.
  public static func pixel(_ text: Substring) -> (r: UInt8, g: UInt8, b: UInt8)? {
    // Runs once per question (409,600 times per eval-re job): an answer that starts with `[` and
    // ends with `]` has nothing to trim, so the Character-level trimming is skipped for it.
    let utf8 = text.utf8
    if utf8.first == UInt8(ascii: "["), utf8.last == UInt8(ascii: "]") {
      if let parsed = utf8.withContiguousStorageIfAvailable({ pixel(bracketed: $0) }) {
        return parsed
      }
      return pixel(bracketed: utf8)
    }
    return pixel(bracketed: trimmed(text).utf8)
  }

  public static func pixel(_ text: String) -> (r: UInt8, g: UInt8, b: UInt8)? {
    pixel(text[...])
  }

  /// The `[r,g,b]` check itself, on bytes already trimmed.
  private static func pixel<Bytes: BidirectionalCollection<UInt8>>(bracketed utf8: Bytes) -> (
    r: UInt8, g: UInt8, b: UInt8
  )? {
    guard utf8.count >= 7, utf8.first == UInt8(ascii: "["), utf8.last == UInt8(ascii: "]")
    else { return nil }
    var values: (Int, Int) = (0, 0)
    var filled = 0
    var current = -1
    var digits = 0
    for byte in utf8.dropFirst().dropLast() {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        digits += 1
        guard digits <= 3 else { return nil }
        current = (current < 0 ? 0 : current) * 10 + Int(byte - UInt8(ascii: "0"))
      case UInt8(ascii: ","):
        guard current >= 0, current <= 255, filled < 2 else { return nil }
        if filled == 0 { values.0 = current } else { values.1 = current }
        filled += 1
        current = -1
        digits = 0
      default:
        return nil
      }
    }
    guard current >= 0, current <= 255, filled == 2 else { return nil }
    return (UInt8(values.0), UInt8(values.1), UInt8(current))
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
    // "\r\n" is one Character, equal to neither "\r" nor "\n" (found by fuzz/answer_parser).
    func isSpace(_ c: Character) -> Bool {
      c == " " || c == "\n" || c == "\t" || c == "\r" || c == "\r\n"
    }
    var s = text
    while let c = s.first, isSpace(c) { s.removeFirst() }
    while let c = s.last, isSpace(c) { s.removeLast() }
    return s
  }
}
