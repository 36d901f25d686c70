import Foundation
import Synchronization

/// Makes items 0..<count on background threads, a bounded window ahead of the consumer, and hands
/// them out in index order: the enqueue decodes and packs shards on every core while its own
/// thread stores the finished ones, in order, in the job's transaction.
final class OrderedProducer<Item: Sendable>: Sendable {
  private struct State {
    var results: [Int: Result<Item, any Error>] = [:]
    var next = 0
    var stopped = false
  }

  private let count: Int
  private let make: @Sendable (Int) throws -> Item
  private let state = Mutex(State())
  /// Free places in the window: a producer takes one before it takes an index.
  private let window: DispatchSemaphore
  /// One signal per finished item (the consumer then looks for its own).
  private let finished = DispatchSemaphore(value: 0)
  private let group = DispatchGroup()

  /// Starts `threads` producers; at most `window` items are made and not yet taken.
  init(count: Int, threads: Int, window: Int, make: @escaping @Sendable (Int) throws -> Item) {
    self.count = count
    self.make = make
    self.window = DispatchSemaphore(value: max(1, window))
    for _ in 0..<max(1, min(threads, count)) {
      group.enter()
      let thread = Thread { [self] in
        produce()
        group.leave()
      }
      thread.stackSize = 8 << 20  // decoders like deep stacks
      thread.start()
    }
  }

  private func produce() {
    while true {
      window.wait()
      let index: Int? = state.withLock { state in
        guard !state.stopped, state.next < count else { return nil }
        defer { state.next += 1 }
        return state.next
      }
      guard let index else {
        window.signal()  // let the other producers see the end too
        return
      }
      let result = Result { try make(index) }
      state.withLock { $0.results[index] = result }
      finished.signal()
    }
  }

  /// Item `index`, waiting until it is made; call with 0, 1, 2, ... in turn. Rethrows the
  /// error of a failed item.
  func take(_ index: Int) throws -> Item {
    while true {
      if let result = state.withLock({ $0.results.removeValue(forKey: index) }) {
        window.signal()
        return try result.get()
      }
      finished.wait()
    }
  }

  /// Stops producing (items under way finish) and waits for the producer threads to end.
  func stop() {
    state.withLock { $0.stopped = true }
    for _ in 0..<count { window.signal() }
    group.wait()
  }
}
