public import Foundation

/// Buffered writes to a file descriptor (stdout by default), for streaming exports.
public final class OutputSink {
  private var buffer: [UInt8] = []
  private let handle: FileHandle
  private let capacity: Int

  public init(handle: FileHandle = .standardOutput, capacity: Int = 1 << 16) {
    self.handle = handle
    self.capacity = capacity
    buffer.reserveCapacity(capacity)
  }

  public func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= capacity { flush() }
  }

  public func flush() {
    guard !buffer.isEmpty else { return }
    handle.write(Data(buffer))
    buffer.removeAll(keepingCapacity: true)
  }

  deinit { flush() }
}
