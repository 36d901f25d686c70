import ArgumentParser
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid`. The benchmarks time
/// processes that live tens of milliseconds: Foundation's `Process.waitUntilExit` notices an exit
/// only at its next 50 ms run-loop turn, which would add up to 50 ms to every timed phase.
final class ChildProcess {
  let pid: pid_t
  /// The read end of the child's standard output, when it was captured.
  private let stdoutRead: Int32?

  init(path: String, arguments: [String], environment: [String: String], captureOutput: Bool) throws {
    var descriptors: [Int32] = [-1, -1]
    if captureOutput {
      guard pipe(&descriptors) == 0 else { throw ValidationError("pipe: errno \(errno)") }
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if captureOutput {
      posix_spawn_file_actions_adddup2(&actions, descriptors[1], 1)
      posix_spawn_file_actions_addclose(&actions, descriptors[0])
      posix_spawn_file_actions_addclose(&actions, descriptors[1])
    }
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv + envp { free(pointer) }
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
    if captureOutput { close(descriptors[1]) }
    guard spawned == 0 else {
      if captureOutput { close(descriptors[0]) }
      throw ValidationError("cannot start \(path): errno \(spawned)")
    }
    self.pid = pid
    self.stdoutRead = captureOutput ? descriptors[0] : nil
    // Samples /proc/PID/status every 5 ms until the child is a zombie (its memory then gone).
    watched.enter()
    let thread = Thread { [pid, highWater, watched] in
      while let kB = Self.highWaterKB(pid) {
        highWater.kB.withLock { $0 = max($0, kB) }
        usleep(5000)
      }
      watched.leave()
    }
    watcher = thread
    thread.start()
  }

  /// The largest `VmHWM` sampled, shared with the sampling thread.
  final class HighWater: Sendable {
    let kB = Mutex(0)
  }

  /// `VmHWM` of a live process in kB, or nil once it has exited.
  static func highWaterKB(_ pid: pid_t) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return nil }
    return Int(line.split(separator: " ").dropFirst().first ?? "")
  }

  deinit {
    if let stdoutRead { close(stdoutRead) }
  }

  /// The child's whole standard output (read until it closes it).
  func readOutput() -> String {
    guard let stdoutRead else { return "" }
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = read(stdoutRead, &buffer, buffer.count)
      if count > 0 {
        data += buffer[0..<count]
      } else if count < 0 && errno == EINTR {
        continue
      } else {
        break
      }
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// The child's peak resident set in MB (its last `VmHWM` seen), known once `wait` has
  /// returned. Not `wait4`'s `ru_maxrss`: Linux starts a spawned child's at the parent's own
  /// peak (the exec records the shared address space it leaves), so every child would look at
  /// least as large as this benchmark process.
  private(set) var peakRSS = 0
  private let highWater = HighWater()
  private var watcher: Thread?
  private let watched = DispatchGroup()
  /// The child's CPU seconds (user + system), known once `wait` has returned.
  private(set) var cpuSeconds = 0.0

  /// Waits for the exit; returns the exit status (128 + signal when killed).
  @discardableResult
  func wait() -> Int32 {
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    watched.wait()
    peakRSS = highWater.kB.withLock { $0 } / 1024
    cpuSeconds =
      Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
      + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    // WIFEXITED / WEXITSTATUS, spelled out (the macros do not come through to Swift).
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
  }

  func terminate() { kill(pid, SIGTERM) }
}
