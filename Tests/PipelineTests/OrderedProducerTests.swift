import Synchronization
import Testing

@testable import Pipeline

@Suite struct OrderedProducerTests {
  struct Boom: Error, Equatable { var index: Int }

  @Test(arguments: [1, 2, 4])
  func handsOutEveryItemInOrder(threads: Int) throws {
    let producer = OrderedProducer(count: 50, threads: threads, window: 3) { $0 * $0 }
    defer { producer.stop() }
    let got = try (0..<50).map { try producer.take($0) }
    #expect(got == (0..<50).map { $0 * $0 })
  }

  @Test func neverRunsMoreThanTheWindowAhead() throws {
    let made = Atomic<Int>(0)
    let producer = OrderedProducer(count: 20, threads: 4, window: 3) { index in
      made.add(1, ordering: .sequentiallyConsistent)
      return index
    }
    defer { producer.stop() }
    for index in 0..<20 {
      #expect(try producer.take(index) == index)
      // Taken: index + 1; made but not taken: at most the window.
      #expect(made.load(ordering: .sequentiallyConsistent) <= index + 1 + 3)
    }
  }

  @Test func rethrowsAFailedItemAndStops() {
    let producer = OrderedProducer(count: 100, threads: 2, window: 4) { index in
      if index == 5 { throw Boom(index: index) }
      return index
    }
    for index in 0..<5 { #expect((try? producer.take(index)) == index) }
    #expect(throws: Boom(index: 5)) { try producer.take(5) }
    producer.stop()  // returns: the producers end although 94 items were never made
  }
}
