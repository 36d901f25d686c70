import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a short command and waits for it, passing on descriptors 0-2 only (stdin from /dev/null,
/// stdout and stderr to files). Foundation's `Process` lets children inherit the descriptors it
/// uses to follow them, so a daemon started by the child (`pg_ctl start`) would keep them open
/// and the wait would never end.
enum Spawn {
  struct Finished {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module
  /// does not declare.
  typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
  static let closeFrom: CloseFrom? = {
    guard
      let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
    else { return nil }
    return unsafeBitCast(symbol, to: CloseFrom.self)
  }()

  static func run(_ path: String, _ arguments: [String], environment: [String: String]) throws
    -> Finished
  {
    let base = NSTemporaryDirectory() + "pixelprobe-spawn-\(getpid())-\(UUID().uuidString.prefix(8))"
    let outPath = base + ".out"
    let errPath = base + ".err"
    defer {
      unlink(outPath)
      unlink(errPath)
    }
    let outFD = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    let errFD = open(errPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    defer {
      close(outFD)
      close(errFD)
    }
    guard outFD >= 0, errFD >= 0 else { throw FaultError("cannot create \(base).*") }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, outFD, 1)
    posix_spawn_file_actions_adddup2(&actions, errFD, 2)
    guard let closeFrom = closeFrom else {
      throw FaultError("posix_spawn_file_actions_addclosefrom_np is missing (glibc 2.34 or later)")
    }
    _ = closeFrom(&actions, 3)

    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv + envp { free(pointer) }
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
    guard spawned == 0 else { throw FaultError("cannot start \(path): errno \(spawned)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      guard errno == EINTR else { throw FaultError("waitpid \(path): errno \(errno)") }
    }
    // WIFEXITED / WEXITSTATUS, spelled out (the macros do not come through to Swift).
    let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return Finished(
      status: code, stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
  }
}
