import Model
import Testing

@testable import Pipeline

@Suite struct EvalREExecutorTests {
  @Test func questionCacheRebuildsOnlyForOtherCells() {
    var cache = EvalREExecutor.QuestionCache()
    let fresh = { (cells: [UInt32], order: LocOrder) in
      cells.map { ModelQuestion.pixel(row: Int($0) / 4, col: Int($0) % 4, order: order) }
    }
    #expect(cache.questions(cells: [0, 5, 15], grid: 4, order: .yx) == fresh([0, 5, 15], .yx))
    #expect(
      cache.questions(cells: [0, 5, 15], grid: 4, order: .yx)[1].text == "[reconstruct] loc: [1,1] rgb: ")
    #expect(cache.questions(cells: [1, 6], grid: 4, order: .yx) == fresh([1, 6], .yx))
    #expect(cache.questions(cells: [1, 6], grid: 4, order: .xy) == fresh([1, 6], .xy))
    #expect(cache.questions(cells: [1, 6], grid: 4, order: .xy)[0].text == "[reconstruct] loc: [1,0] rgb: ")
  }
}
