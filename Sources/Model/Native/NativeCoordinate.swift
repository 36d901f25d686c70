/// The cell a question addresses, as the coordinate embedding reads it: the first `[row,col]` of
/// the question's tokens (decimal numbers, the PVP format `[reconstruct] loc: [12,34] rgb: `).
/// The embedding is added from the closing `]` on, to every later token of the sequence.
public struct NativeCoordinate: Sendable, Equatable {
  public var row: Int
  public var col: Int
  /// Index (in the tokens parsed) of the closing `]`, the first token that gets the embedding.
  public var start: Int

  public init(row: Int, col: Int, start: Int) {
    self.row = row
    self.col = col
    self.start = start
  }

  /// The first `[row,col]` among `tokens` with both numbers below `range` (at most 4 digits
  /// each), or nil. Questions without one (game prompts) get no coordinate embedding.
  public static func parse(_ tokens: [Int], range: Int) -> NativeCoordinate? {
    guard range > 0 else { return nil }
    let (open, comma, close) = (Int(UInt8(ascii: "[")), Int(UInt8(ascii: ",")), Int(UInt8(ascii: "]")))
    // Reads a number of 1-4 digits at `i`: its value and the index after it.
    func number(_ i: Int) -> (Int, Int)? {
      var value = 0
      var j = i
      while j < tokens.count, j - i < 5, (48...57).contains(tokens[j]) {
        value = value * 10 + tokens[j] - 48
        j += 1
      }
      return j > i && j - i <= 4 ? (value, j) : nil
    }
    for i in tokens.indices where tokens[i] == open {
      guard let (row, afterRow) = number(i + 1), afterRow < tokens.count, tokens[afterRow] == comma,
        let (col, afterCol) = number(afterRow + 1), afterCol < tokens.count, tokens[afterCol] == close
      else { continue }
      guard row < range, col < range else { return nil }
      return NativeCoordinate(row: row, col: col, start: afterCol)
    }
    return nil
  }

  /// The coordinate shifted to a token stream that starts `offset` tokens later.
  public func dropping(_ offset: Int) -> NativeCoordinate {
    NativeCoordinate(row: row, col: col, start: start - offset)
  }
}
