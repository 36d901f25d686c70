/// The paper's question and answer texts, in one place.
///
/// Every backend and every exporter builds its prompts here, so the bytes a model sees are the same
/// everywhere (tests check them byte for byte).
public enum TaskFormat {
  /// `[reconstruct] loc: [{row},{col}] rgb: ` (note the trailing space).
  public static func pixelQuestion(row: Int, col: Int, order: LocOrder = .yx) -> String {
    let (a, b) = order.ordered(row: row, col: col)
    // Built byte by byte: an eval-re job asks 409,600 of these, and interpolation costs several
    // times more. Coordinates beyond 4 digits (never on a real grid) take the plain path.
    guard (0..<10_000).contains(a), (0..<10_000).contains(b) else {
      return "[reconstruct] loc: [\(a),\(b)] rgb: "
    }
    let prefix = "[reconstruct] loc: [".utf8
    let suffix = "] rgb: ".utf8
    return String(unsafeUninitializedCapacity: prefix.count + suffix.count + 9) { buffer in
      var n = 0
      for byte in prefix {
        buffer[n] = byte
        n += 1
      }
      n = writeDecimal(a, into: buffer, at: n)
      buffer[n] = UInt8(ascii: ",")
      n = writeDecimal(b, into: buffer, at: n + 1)
      for byte in suffix {
        buffer[n] = byte
        n += 1
      }
      return n
    }
  }

  /// `[r,g,b]`, no spaces.
  public static func pixelAnswer(r: UInt8, g: UInt8, b: UInt8) -> String {
    // At most 13 bytes: a small string, built without a heap allocation.
    String(unsafeUninitializedCapacity: 13) { buffer in
      buffer[0] = UInt8(ascii: "[")
      var n = writeDecimal(Int(r), into: buffer, at: 1)
      buffer[n] = UInt8(ascii: ",")
      n = writeDecimal(Int(g), into: buffer, at: n + 1)
      buffer[n] = UInt8(ascii: ",")
      n = writeDecimal(Int(b), into: buffer, at: n + 1)
      buffer[n] = UInt8(ascii: "]")
      return n + 1
    }
  }

  /// Writes `value` (0..<10,000) in decimal at `at`; returns the index after its last digit.
  private static func writeDecimal(
    _ value: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int
  ) -> Int {
    let digits = value >= 1000 ? 4 : value >= 100 ? 3 : value >= 10 ? 2 : 1
    var rest = value
    for k in stride(from: start + digits - 1, through: start, by: -1) {
      buffer[k] = UInt8(ascii: "0") + UInt8(rest % 10)
      rest /= 10
    }
    return start + digits
  }

  /// `[segmentation] {sentence} loc: [{row},{col}] mask: `
  public static func segmentationQuestion(
    sentence: String, row: Int, col: Int, order: LocOrder = .yx
  ) -> String {
    let (a, b) = order.ordered(row: row, col: col)
    return "[segmentation] \(sentence) loc: [\(a),\(b)] mask: "
  }

  /// MiniGPT-v2's referring expression comprehension question.
  public static func referQuestion(sentence: String) -> String {
    "[refer] give me the location of \(sentence)"
  }

  /// MiniGPT-v2's dataset-side instruction: the image placeholder before the question.
  public static func minigptInstruction(_ question: String) -> String {
    "<Img><ImageHere></Img> \(question)"
  }

  /// MiniGPT-v2's full prompt around one question.
  public static func minigptPrompt(_ question: String) -> String {
    "[INST] \(minigptInstruction(question)) [/INST]"
  }
}
