#if canImport(Glibc)
  import Glibc
#endif

/// CPU time of this process or of the calling thread: on a machine shared with other work, the
/// figure that load does not inflate (wall time is given beside it).
enum CPUClock {
  static func nanoseconds(thread: Bool = false) -> UInt64 {
    var spec = timespec()
    clock_gettime(thread ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
  }

  /// Runs `body` and returns its result with the calling thread's CPU seconds.
  static func measure<T>(_ body: () throws -> T) rethrows -> (result: T, seconds: Double) {
    let start = nanoseconds(thread: true)
    let result = try body()
    return (result, Double(nanoseconds(thread: true) - start) / 1e9)
  }
}
