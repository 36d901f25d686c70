/// Scratch memory for one inference call: an owned float allocation, zero-initialised unless
/// the caller will overwrite all of it.
final class NativeBuffer {
  let count: Int
  let base: UnsafeMutablePointer<Float>

  init(_ count: Int, zeroed: Bool = true) {
    self.count = count
    base = .allocate(capacity: max(count, 1))
    if zeroed { base.initialize(repeating: 0, count: max(count, 1)) }
  }

  deinit { base.deallocate() }

  func zero() { base.update(repeating: 0, count: count) }

  var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }
}

/// Reusable scratch buffers by slot, grown on demand, so a decoding loop does not allocate (and
/// page-fault) fresh memory at every layer and step. Contents are not preserved across calls.
final class NativeScratch {
  private var buffers: [Int: NativeBuffer] = [:]

  func callAsFunction(_ slot: Int, _ count: Int) -> UnsafeMutablePointer<Float> {
    if let buffer = buffers[slot], buffer.count >= count { return buffer.base }
    let buffer = NativeBuffer(count, zeroed: false)
    buffers[slot] = buffer
    return buffer.base
  }
}
