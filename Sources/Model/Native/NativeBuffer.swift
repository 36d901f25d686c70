/// Scratch memory for one inference call: an owned, zero-initialised float allocation.
final class NativeBuffer {
  let count: Int
  let base: UnsafeMutablePointer<Float>

  init(_ count: Int) {
    self.count = count
    base = .allocate(capacity: max(count, 1))
    base.initialize(repeating: 0, count: max(count, 1))
  }

  deinit { base.deallocate() }

  func zero() { base.update(repeating: 0, count: count) }

  var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
