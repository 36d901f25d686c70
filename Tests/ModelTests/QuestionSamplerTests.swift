import Model
import Testing

@Suite struct QuestionSamplerTests {
  struct Expected: Sendable, CustomTestStringConvertible {
    var seed: UInt64
    var slots: Int
    var index: UInt64
    var slot: Int
    var row: Int
    var col: Int
    var testDescription: String { "seed \(seed) slots \(slots) question \(index)" }
  }

  // Computed by a second implementation, bench/sampler_reference.py, not by this code.
  static let reference: [Expected] = [
    .init(seed: 0, slots: 23, index: 0, slot: 16, row: 59, col: 50),
    .init(seed: 0, slots: 23, index: 1, slot: 12, row: 10, col: 60),
    .init(seed: 0, slots: 23, index: 1000, slot: 4, row: 50, col: 41),
    .init(seed: 0, slots: 23, index: 3_599_999, slot: 19, row: 30, col: 14),
    .init(seed: 0, slots: 23, index: 1_099_511_627_783, slot: 16, row: 6, col: 49),
    .init(seed: 12345, slots: 591_753, index: 0, slot: 542_470, row: 38, col: 63),
    .init(seed: 12345, slots: 591_753, index: 2, slot: 49178, row: 2, col: 33),
    .init(seed: 12345, slots: 591_753, index: 3_599_999, slot: 141_254, row: 23, col: 32),
  ]

  @Test(arguments: reference)
  func matchesTheReferenceImplementation(_ expected: Expected) {
    let sampler = QuestionSampler(seed: expected.seed, slots: expected.slots, grid: 64)
    let q = sampler.question(expected.index)
    #expect(q == .init(slot: expected.slot, row: expected.row, col: expected.col))
  }

  @Test func coversEveryCellAndSlotRoughlyEvenly() {
    // 23 slots x 4096 cells; 2M draws give ~87k per slot and ~488 per cell.
    let sampler = QuestionSampler(seed: 7, slots: 23, grid: 64)
    var slots = [Int](repeating: 0, count: 23)
    var cells = [Int](repeating: 0, count: 64 * 64)
    for i in 0..<UInt64(2_000_000) {
      let q = sampler.question(i)
      slots[q.slot] += 1
      cells[q.row * 64 + q.col] += 1
    }
    let perSlot = 2_000_000.0 / 23
    #expect(slots.allSatisfy { abs(Double($0) - perSlot) < perSlot * 0.02 })
    #expect(cells.min()! > 380 && cells.max()! < 600)
  }

  @Test func seedsGiveDifferentQuestions() {
    let a = QuestionSampler(seed: 1, slots: 1000, grid: 64)
    let b = QuestionSampler(seed: 2, slots: 1000, grid: 64)
    let same = (0..<UInt64(1000)).filter { a.question($0) == b.question($0) }.count
    #expect(same < 5)
  }
}
