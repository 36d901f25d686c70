/// Where one forward/backward pass reads the parameters and adds its gradients (flat buffers in
/// the model's `TensorLayout`). Each thread has its own gradient buffer.
struct ParameterAccess: @unchecked Sendable {
  let params: UnsafeMutablePointer<Float>
  let grads: UnsafeMutablePointer<Float>

  @inline(__always) func p(_ offset: Int) -> UnsafeMutablePointer<Float> { params + offset }
  @inline(__always) func g(_ offset: Int) -> UnsafeMutablePointer<Float> { grads + offset }
}

/// Float scratch owned by one thread, by slot, grown on demand (contents not preserved when a
/// slot grows). Freed on deinit.
final class Workspace {
  private var buffers: [Int: (base: UnsafeMutablePointer<Float>, count: Int)] = [:]

  func callAsFunction(_ slot: Int, _ count: Int) -> UnsafeMutablePointer<Float> {
    if let buffer = buffers[slot], buffer.count >= count { return buffer.base }
    if let old = buffers[slot] { old.base.deallocate() }
    let base = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    base.initialize(repeating: 0, count: max(count, 1))
    buffers[slot] = (base, max(count, 1))
    return base
  }

  deinit { for buffer in buffers.values { buffer.base.deallocate() } }
}
