/// Reads a model's answer as an action of the game.
///
/// Accepted (case-insensitive, surrounding white space and one trailing `.` ignored): the action's
/// number (`3`), its name (`GAS`), or both as the paper's action space lists them (`3: GAS`,
/// `3 GAS`), where number and name must agree. Anything else does not parse (nil): the caller
/// counts it and plays NOOP (action 0).
public enum GameAction {
  public static func parse(_ answer: String, actions: [String]) -> Int? {
    var text = Substring(answer).trimmingWhiteSpace()
    if text.hasSuffix(".") { text = text.dropLast().trimmingWhiteSpace() }
    guard !text.isEmpty, text.count <= 64 else { return nil }
    let upper = text.uppercased()
    if let index = number(Substring(upper), count: actions.count) { return index }
    if let index = actions.firstIndex(of: upper) { return index }
    // `N: NAME`, `N NAME`
    let digits = upper.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty, let index = number(digits, count: actions.count) else { return nil }
    var rest = upper.dropFirst(digits.count)
    if rest.first == ":" { rest = rest.dropFirst() }
    let name = rest.trimmingWhiteSpace()
    guard name.count < rest.count || upper.dropFirst(digits.count).first == ":" else { return nil }
    return String(name) == actions[index] ? index : nil
  }

  private static func number(_ text: Substring, count: Int) -> Int? {
    guard !text.isEmpty, text.count <= 4, text.allSatisfy({ $0.isASCII && $0.isNumber }),
      let value = Int(text), value < count
    else { return nil }
    return value
  }
}

extension Substring {
  func trimmingWhiteSpace() -> Substring {
    var text = self
    while let first = text.first, first.isWhitespace { text = text.dropFirst() }
    while let last = text.last, last.isWhitespace { text = text.dropLast() }
    return text
  }
}
