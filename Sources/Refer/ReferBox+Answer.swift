/// MiniGPT-v2's box answers: `{<x1><y1><x2><y2>}`, each coordinate a percentage of the image's
/// width or height, truncated to an integer.
extension ReferBox {
  /// The answer MiniGPT-v2 is trained on for this box: `int(v / width * 100)` for x and
  /// `int(v / height * 100)` for y (Python's `int` truncates toward zero).
  public func answerText(imageWidth: Int, imageHeight: Int) -> String {
    precondition(imageWidth > 0 && imageHeight > 0, "image size must be positive")
    func percent(_ value: Double, _ size: Int) -> Int {
      let scaled = value / Double(size) * 100
      return scaled.isFinite ? Int(scaled.rounded(.towardZero)) : 0
    }
    return "{<\(percent(x1, imageWidth))><\(percent(y1, imageHeight))>"
      + "<\(percent(x2, imageWidth))><\(percent(y2, imageHeight))>}"
  }

  /// The box of a model's answer, read with MiniGPT-v2's `eval_ref.py` rules, or nil where that
  /// script would not score a hit:
  ///
  /// 1. remove every `<unk>`, then every space, then strip white space at both ends;
  /// 2. the text must *start* with `{<d><d><d><d>}`, each `d` one to three decimal digits
  ///    (`re.match` anchors only at the start: text after the closing brace is allowed);
  /// 3. but all digit runs of the text are read (`re.findall(r'\d+')`) and unpacked into four
  ///    coordinates, so any further digit after the brace makes the answer a miss;
  /// 4. the integers are rescaled: `v / 100 * width` for x, `v / 100 * height` for y.
  ///
  /// Digits are any Unicode decimal digits, as Python's `\d` and `int()` accept them.
  public static func parseAnswer(_ text: String, imageWidth: Int, imageHeight: Int) -> ReferBox? {
    guard let values = answerCoordinates(text) else { return nil }
    let width = Double(imageWidth)
    let height = Double(imageHeight)
    return ReferBox(
      x1: Double(values[0]) / 100 * width, y1: Double(values[1]) / 100 * height,
      x2: Double(values[2]) / 100 * width, y2: Double(values[3]) / 100 * height)
  }

  /// The four integers of an answer (0...999 each) under the rules of
  /// ``parseAnswer(_:imageWidth:imageHeight:)``, before rescaling.
  public static func answerCoordinates(_ text: String) -> [Int]? {
    let cleaned = text.replacing("<unk>", with: "").replacing(" ", with: "")
    var scalars = Array(cleaned.unicodeScalars)
    while let first = scalars.first, isPythonWhitespace(first) { scalars.removeFirst() }
    while let last = scalars.last, isPythonWhitespace(last) { scalars.removeLast() }

    // The prefix `{<d><d><d><d>}`.
    var index = 0
    func take(_ expected: Unicode.Scalar) -> Bool {
      guard index < scalars.count, scalars[index] == expected else { return false }
      index += 1
      return true
    }
    guard take("{") else { return nil }
    for _ in 0..<4 {
      guard take("<") else { return nil }
      var digits = 0
      while index < scalars.count, digitValue(scalars[index]) != nil {
        digits += 1
        index += 1
      }
      guard (1...3).contains(digits), take(">") else { return nil }
    }
    guard take("}") else { return nil }

    // Every digit run of the whole text, as `re.findall(r'\d+')` reads them.
    var values: [Int] = []
    var current: Int? = nil
    for scalar in scalars {
      if let digit = digitValue(scalar) {
        current = (current ?? 0) &* 10 &+ digit
      } else if let value = current {
        values.append(value)
        current = nil
      }
    }
    if let value = current { values.append(value) }
    return values.count == 4 ? values : nil
  }

  static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
    guard scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue else {
      return nil
    }
    return Int(value)
  }

  /// Python's `str.strip()` set: Unicode white space plus the separators U+001C...U+001F.
  static func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
  }
}
