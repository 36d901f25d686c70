/// Which coordinate comes first in a question's `loc: [a,b]`.
///
/// The released training code writes the row (y) first although the paper's text writes
/// `[{x},{y}]`, so row-first is the default.
public enum LocOrder: String, Codable, Sendable, CaseIterable {
  /// `loc: [{row},{col}]` — the released code's order.
  case yx
  /// `loc: [{col},{row}]` — the order the paper's text shows.
  case xy

  /// The two numbers of a location, in this order.
  public func ordered(row: Int, col: Int) -> (Int, Int) {
    switch self {
    case .yx: (row, col)
    case .xy: (col, row)
    }
  }
}
