import Foundation
import Imaging

#if canImport(Glibc)
  import Glibc
#endif

/// One environment server process (`ops/envs/server.py`) and its protocol (docs/games.md): one
/// JSON line per message, raw RGB frame bytes after a reply line that announces them.
///
/// The single owner of the child: it is always reaped, by `close()` or at the latest in `deinit`
/// (stdin closed, a short grace period, then SIGKILL), also after errors and timeouts. Not
/// thread-safe: one shard's thread drives one server.
public final class GameServer {
  public let game: GameName
  public let discretisation: String
  /// Action names by index, as the server reported them.
  public let actions: [String]
  public let environmentID: String
  /// Seconds to wait for any one reply.
  public let timeout: Double

  private var pid: pid_t
  private var input: Int32
  private var output: Int32
  private let stderrPath: String
  private var buffer: [UInt8] = []
  private var start = 0
  private var reaped = false
  /// Where `read` lands, allocated once: a frame is 100 KB and comes every millisecond or so.
  private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)

  /// Starts the server and makes the game. `expert` asks for the scripted expert's action with
  /// every observation.
  public init(
    game: GameName, discretisation: String, expert: Bool, location: GameServerLocation,
    timeout: Double = 60
  ) throws(GameError) {
    guard let names = game.actions(discretisation: discretisation) else {
      throw GameError(
        .badOption, "--discretisation",
        "\(game) has no discretisation '\(discretisation)' (known: \(game.discretisations.joined(separator: ", ")))"
      )
    }
    _ = Self.ignoreSIGPIPE
    self.game = game
    self.discretisation = discretisation
    self.timeout = timeout
    stderrPath = NSTemporaryDirectory() + "pixelprobe-env-\(getpid())-\(UUID().uuidString.prefix(8)).err"
    actions = names
    environmentID = game.environmentID
    (pid, input, output) = try Self.spawn(location, stderrPath: stderrPath)
    do throws(GameError) {
      let reply = try request(
        #"{"op":"make","game":"\#(game.rawValue)","discretisation":"\#(discretisation)","expert":\#(expert)}"#,
        timeout: max(timeout, Self.startTimeout))
      guard reply.header.actions == names, reply.header.env_id == environmentID else {
        throw GameError(
          .protocolError, name,
          "\(game) \(discretisation): the server runs \(reply.header.env_id ?? "?") with actions \(reply.header.actions ?? []), expected \(environmentID) with \(names)"
        )
      }
    } catch {
      reap()
      throw error
    }
  }

  deinit {
    reap()
    scratch.deallocate()
  }

  /// Starts an episode; the same seed gives the same episode.
  public func reset(seed: UInt64) throws(GameError) -> GameObservation {
    try observation(#"{"op":"reset","seed":\#(seed)}"#)
  }

  public func step(_ action: Int) throws(GameError) -> GameObservation {
    try observation(#"{"op":"step","action":\#(action)}"#)
  }

  /// Asks the server to exit, then reaps it (a server that does not answer is killed).
  public func close() {
    if !reaped { _ = try? request(#"{"op":"close"}"#) }
    reap()
  }

  /// The process id while the server runs (tests kill it to see a death handled).
  public var processID: Int32? { reaped ? nil : pid }

  // MARK: - Protocol

  struct Header: Decodable {
    var ok: Bool
    var error: String?
    var frame_bytes: Int
    var width: Int?
    var height: Int?
    var reward: Double?
    var terminated: Bool?
    var truncated: Bool?
    var steps: Int?
    var expert: Int?
    var actions: [String]?
    var env_id: String?
  }

  private func observation(_ line: String) throws(GameError) -> GameObservation {
    let (header, frame) = try request(line)
    guard let width = header.width, let height = header.height, width > 0, height > 0,
      width * height * 3 == frame.count, let reward = header.reward,
      let terminated = header.terminated, let truncated = header.truncated, let steps = header.steps
    else {
      throw GameError(.protocolError, name, "an observation reply lacks its fields or frame")
    }
    if let expert = header.expert, !actions.indices.contains(expert) {
      throw GameError(.protocolError, name, "expert action \(expert) is out of range")
    }
    return GameObservation(
      reward: reward, terminated: terminated, truncated: truncated, steps: steps,
      expert: header.expert, frame: RGBImage(width: width, height: height, pixels: frame))
  }

  private var name: String { "game environment server (\(game), pid \(pid))" }

  /// How long the first reply may take: Python importing gymnasium and making the game takes
  /// seconds on a loaded machine, whatever the per-step `timeout`.
  static let startTimeout: Double = 60

  private func request(_ line: String, timeout: Double? = nil) throws(GameError) -> (
    header: Header, frame: [UInt8]
  ) {
    guard !reaped else { throw GameError(.serverDied, name, "already closed") }
    let limit = timeout ?? self.timeout
    let deadline = Date().addingTimeInterval(limit)
    try write(Array((line + "\n").utf8))
    let headerBytes = try readLine(deadline: deadline, limit: limit)
    let header: Header
    do {
      header = try JSONDecoder().decode(Header.self, from: Data(headerBytes))
    } catch {
      throw GameError(
        .protocolError, name,
        "reply is not a header line: \(String(decoding: headerBytes.prefix(200), as: UTF8.self))")
    }
    guard header.frame_bytes >= 0, header.frame_bytes <= 64 << 20 else {
      throw GameError(.protocolError, name, "frame_bytes \(header.frame_bytes) is out of range")
    }
    let frame = try readExactly(header.frame_bytes, deadline: deadline, limit: limit)
    guard header.ok else {
      throw GameError(.protocolError, name, "refused: \(header.error ?? "no reason given")")
    }
    return (header, frame)
  }

  private func write(_ bytes: [UInt8]) throws(GameError) {
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { Glibc.write(input, $0.baseAddress, $0.count) }
      if written < 0 {
        if errno == EINTR { continue }
        throw died("cannot write a request (errno \(errno))")
      }
      offset += written
    }
  }

  private func readLine(deadline: Date, limit: Double) throws(GameError) -> ArraySlice<UInt8> {
    var searched = start
    while true {
      if let newline = buffer[searched...].firstIndex(of: 0x0A) {
        let line = buffer[start..<newline]
        start = newline + 1
        return line
      }
      searched = buffer.count
      guard buffer.count - start < 1 << 20 else {
        throw GameError(.protocolError, name, "a header line longer than 1 MiB")
      }
      try fill(deadline: deadline, limit: limit)
    }
  }

  private func readExactly(_ count: Int, deadline: Date, limit: Double) throws(GameError) -> [UInt8] {
    while buffer.count - start < count { try fill(deadline: deadline, limit: limit) }
    let bytes = Array(buffer[start..<(start + count)])
    start += count
    if start == buffer.count {
      buffer.removeAll(keepingCapacity: true)
      start = 0
    }
    return bytes
  }

  private func fill(deadline: Date, limit: Double) throws(GameError) {
    if start > 0 && start == buffer.count {
      buffer.removeAll(keepingCapacity: true)
      start = 0
    }
    while true {
      let remaining = deadline.timeIntervalSinceNow
      guard remaining > 0 else {
        let tail = stderrTail()
        reap()
        throw GameError(.timeout, name, "no reply within \(limit) s; killed\(tail)")
      }
      var poller = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
      let ready = poll(&poller, 1, Int32(min(remaining * 1000, 60_000)) + 1)
      if ready < 0 {
        if errno == EINTR { continue }
        throw died("poll failed (errno \(errno))")
      }
      if ready == 0 { continue }
      let count = read(output, scratch.baseAddress, scratch.count)
      if count < 0 {
        if errno == EINTR { continue }
        throw died("cannot read a reply (errno \(errno))")
      }
      if count == 0 { throw died("closed its output") }
      buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
      return
    }
  }

  /// The error for a server that went away, with how it ended and the end of its stderr.
  private func died(_ what: String) -> GameError {
    let tail = stderrTail()
    let status = reap()
    return GameError(.serverDied, name, "\(what); \(status)\(tail)")
  }

  private func stderrTail() -> String {
    guard let data = FileManager.default.contents(atPath: stderrPath), !data.isEmpty else {
      return ""
    }
    let lines = String(decoding: data.suffix(2000), as: UTF8.self).split(separator: "\n")
      .filter { !$0.hasPrefix("A.L.E:") && !$0.hasPrefix("[Powered by") }
    return lines.isEmpty ? "" : "; stderr: " + lines.suffix(3).joined(separator: " | ")
  }

  // MARK: - Process

  private static let ignoreSIGPIPE: Void = {
    // A write to a server that died must be an error, not the end of the worker.
    signal(SIGPIPE, SIG_IGN)
  }()

  /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module
  /// does not declare: the child must not inherit the worker's descriptors (database sockets).
  private typealias CloseFrom =
    @convention(c) (
      UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32
    ) -> Int32
  private static let closeFrom: CloseFrom? = {
    guard
      let symbol = dlsym(
        UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
    else { return nil }
    return unsafeBitCast(symbol, to: CloseFrom.self)
  }()

  private static func spawn(_ location: GameServerLocation, stderrPath: String) throws(GameError)
    -> (pid_t, Int32, Int32)
  {
    var toChild: [Int32] = [-1, -1]
    var fromChild: [Int32] = [-1, -1]
    guard pipe(&toChild) == 0 else {
      throw GameError(.spawn, location.python, "pipe failed (errno \(errno))")
    }
    guard pipe(&fromChild) == 0 else {
      Glibc.close(toChild[0])
      Glibc.close(toChild[1])
      throw GameError(.spawn, location.python, "pipe failed (errno \(errno))")
    }
    // Our ends must not leak into other children (the closefrom below covers this child).
    for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    // A 1 MiB pipe (F_SETPIPE_SZ, Linux) takes a whole frame in one write; best effort.
    _ = fcntl(fromChild[0], 1031, 1 << 20)
    let errFD = open(stderrPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    defer {
      Glibc.close(toChild[0])
      Glibc.close(fromChild[1])
      if errFD >= 0 { Glibc.close(errFD) }
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
    posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
    if errFD >= 0 {
      posix_spawn_file_actions_adddup2(&actions, errFD, 2)
    } else {
      posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    }
    if let closeFrom { _ = closeFrom(&actions, 3) }
    let arguments = [location.python, "-u", location.script]
    let argv = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, location.python, &actions, nil, argv, environ)
    guard spawned == 0 else {
      Glibc.close(toChild[1])
      Glibc.close(fromChild[0])
      unlink(stderrPath)
      throw GameError(
        .spawn, location.python,
        "cannot start the environment server: \(String(cString: strerror(spawned))); \(GameServerLocation.installHint)"
      )
    }
    return (pid, toChild[1], fromChild[0])
  }

  /// Closes the pipes and waits for the child: EOF on its stdin ends it; one that lingers past
  /// a second is killed. Returns how it ended. Idempotent.
  @discardableResult
  private func reap() -> String {
    guard !reaped else { return "already reaped" }
    reaped = true
    Glibc.close(input)
    Glibc.close(output)
    var status: Int32 = 0
    var waited: pid_t = 0
    let graceEnd = Date().addingTimeInterval(1)
    repeat {
      waited = waitpid(pid, &status, WNOHANG)
      if waited == pid || (waited < 0 && errno != EINTR) { break }
      usleep(5_000)
    } while Date() < graceEnd
    if waited != pid {
      kill(pid, SIGKILL)
      while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
    unlink(stderrPath)
    // WIFEXITED / WEXITSTATUS / WTERMSIG spelled out (the macros do not come through to Swift).
    return (status & 0x7f) == 0
      ? "exited with status \((status >> 8) & 0xff)" : "killed by signal \(status & 0x7f)"
  }
}
