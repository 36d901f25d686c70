/// The worker's decisions, with no I/O: events go in (with the current time), actions come out,
/// and the `WorkerRuntime` performs them. Everything about concurrency, batching, leases and
/// shutdown lives here and is tested without a database.
///
/// Rules:
/// - at most `concurrency` shards execute at once; up to `prefetch` more may wait, claimed;
/// - finished shards are completed in batches: when `completionBatch` are waiting, when the
///   oldest has waited `completionDelay`, or at once when nothing else is executing;
/// - leases held (waiting, executing, or awaiting completion) are heartbeated every
///   `heartbeatInterval` (a failed heartbeat again after `errorDelay`); a lost lease abandons
///   its shard and drops its result;
/// - a completion whose outcome is unknown (the connection broke) is tried again after
///   `errorDelay`, its lease still heartbeated (completion is fenced, so a retry of one that did
///   commit is rejected and changes nothing); at the drain deadline it is left to its lease;
/// - an execution interrupted by the database (not by the shard) hands the shard back without
///   spending an attempt;
/// - a claim that finds nothing waits `pollInterval` (or a wake-up) before the next;
/// - with `exitWhenIdle` the worker belongs to a fleet that must finish its jobs: a claim that
///   finds nothing while nothing is in flight asks for the queue's outlook (`survey`), and the
///   worker exits 0 only when nothing of its kinds is claimable, failed awaiting a retry, or
///   running. While others hold live leases or retries are pending it waits (a wake-up, or
///   until the next lease expiry or retry time, at most `pollInterval`) and claims again, so an
///   expired lease is taken over as soon as it expires. With `idleGrace`, a worker that has
///   seen nothing but live leases for that long exits 0 anyway;
/// - after the connection was lost (`reconnected`), and at start with `recoverOnStart`, the
///   worker asks which shards are leased to it (`recover`) before claiming again: a claim whose
///   reply was lost, or a release that never arrived, left leases it did not know of. They are
///   taken into the free slots (the same attempt goes on) and the rest are released, so none
///   waits out its lease or spends an attempt;
/// - shutdown stops claiming, releases shards not yet started, lets executing ones finish
///   until `drainDeadline`, then abandons and releases what is left, and exits 0;
/// - a shard executing longer than `executionTimeout` (a hung model call) is abandoned and
///   failed (retryable), so another attempt takes it; its executor stays busy until the call
///   returns. When every executor has been stuck like that for `executionTimeout` more, the
///   worker hands back what it holds and exits with `wedgedExitCode`, for its supervisor to
///   restart it.
public struct WorkerStateMachine: Sendable {
  public struct Configuration: Sendable, Hashable {
    public var concurrency: Int
    /// Shards claimed beyond `concurrency`, waiting for an executor.
    public var prefetch: Int
    /// Most shards asked for by one claim.
    public var claimBatch: Int
    public var completionBatch: Int
    /// Seconds a finished shard may wait for its batch.
    public var completionDelay: Double
    public var heartbeatInterval: Double
    /// Seconds between claims while there is nothing to claim (a notification cuts it short).
    public var pollInterval: Double
    public var exitWhenIdle: Bool
    /// Seconds executing shards get to finish after shutdown is requested.
    public var drainDeadline: Double
    /// Seconds before claiming again after a claim failed (the database was unreachable).
    public var errorDelay: Double
    /// Seconds a shard may execute before it is abandoned and failed (nil: no limit).
    public var executionTimeout: Double?
    /// With `exitWhenIdle`: exit after seeing only live leases held by others for this long
    /// (nil: wait until they end).
    public var idleGrace: Double?
    /// Ask which shards are leased to this worker before the first claim.
    public var recoverOnStart: Bool

    public init(
      concurrency: Int, prefetch: Int = 0, claimBatch: Int = 16, completionBatch: Int = 16,
      completionDelay: Double = 0.05, heartbeatInterval: Double = 10, pollInterval: Double = 5,
      exitWhenIdle: Bool = false, drainDeadline: Double = 30, errorDelay: Double = 1,
      executionTimeout: Double? = nil, idleGrace: Double? = nil, recoverOnStart: Bool = false
    ) {
      self.concurrency = max(1, concurrency)
      self.prefetch = max(0, prefetch)
      self.claimBatch = max(1, claimBatch)
      self.completionBatch = max(1, completionBatch)
      self.completionDelay = max(0, completionDelay)
      self.heartbeatInterval = heartbeatInterval
      self.pollInterval = pollInterval
      self.exitWhenIdle = exitWhenIdle
      self.drainDeadline = max(0, drainDeadline)
      self.errorDelay = errorDelay
      self.executionTimeout = executionTimeout.map { max(0, $0) }
      self.idleGrace = idleGrace.map { max(0, $0) }
      self.recoverOnStart = recoverOnStart
    }
  }

  /// The exit code of a worker whose executors are all stuck in calls that do not return.
  public static let wedgedExitCode: Int32 = 75

  /// How an execution ended.
  public enum ExecutionResult: Sendable {
    case success(ShardOutput)
    case failure(message: String, retryable: Bool)
    /// The database connection broke under the execution: not the shard's fault, so it is
    /// handed back (released) rather than failed.
    case interrupted(message: String)
  }

  public enum Event: Sendable {
    case started
    /// A claim returned these shards (empty: nothing to claim).
    case claimed([ClaimedShard])
    /// A claim failed (database error): try again after `errorDelay`.
    case claimFailed
    case executionFinished(ShardKey, ExecutionResult)
    case completionFinished(accepted: [ShardKey], rejected: [ShardKey])
    /// A completion's outcome is unknown (connection lost): tried again after `errorDelay`.
    case completionFailed([ShardKey])
    /// A `fail` action was performed (or could not be: the lease mechanism takes over).
    case failReported(ShardKey)
    case heartbeatFinished(lost: Set<ShardKey>)
    case heartbeatFailed
    case releaseFinished
    /// The queue's outlook, asked for by `survey`.
    case surveyed(QueueOutlook)
    /// The outlook could not be had (database error): claim again after `errorDelay`.
    case surveyFailed
    /// The runtime made a new connection after losing one: leases may have gone unheard of.
    case reconnected
    /// The shards leased to this worker, as the database has them (`recover`).
    case recovered([ClaimedShard])
    case recoveryFailed
    /// A notification arrived: there may be work.
    case wakeUp
    /// Time passed (the runtime's wait timed out); deadlines are checked against `now`.
    case tick
    case shutdownRequested
  }

  public enum Action: Sendable, Equatable {
    case claim(limit: Int)
    case execute(ClaimedShard)
    case complete([CompletedShard])
    case fail(ClaimedShard, error: String, retryable: Bool)
    case heartbeat([ClaimedShard])
    case release([ClaimedShard])
    /// The shard's lease is gone (or the drain deadline passed): tell its executor to stop.
    case abandon(ShardKey)
    /// Nothing to claim: listen for a wake-up, claim again after `timeout` at the latest.
    case waitForWork(timeout: Double)
    /// Ask the queue what is left of this worker's kinds (`WorkQueue.outlook`).
    case survey
    /// Ask the queue which shards are leased to this worker (`WorkQueue.owned`).
    case recover
    case exit(code: Int32)
  }

  /// A shard that finished executing and awaits completion.
  public struct CompletedShard: Sendable, Equatable {
    public var claim: ClaimedShard
    public var output: ShardOutput

    public init(claim: ClaimedShard, output: ShardOutput) {
      self.claim = claim
      self.output = output
    }

    /// Outputs compare by their data; `writeResults` (a closure) cannot be compared.
    public static func == (a: CompletedShard, b: CompletedShard) -> Bool {
      a.claim == b.claim && a.output.outputDigest == b.output.outputDigest
        && a.output.outputSize == b.output.outputSize && a.output.questions == b.output.questions
    }
  }

  enum Phase: Sendable, Equatable {
    case created
    case running
    case draining(deadline: Double)
    case exited
  }

  public let configuration: Configuration
  var phase: Phase = .created
  /// Claimed, not yet started, in claim order.
  var ready: [ClaimedShard] = []
  var executing: [ShardKey: ClaimedShard] = [:]
  /// Executing, but the lease is lost or the deadline passed: the result will be dropped.
  var abandoned: Set<ShardKey> = []
  /// When each executing shard started, and when each abandoned one was abandoned.
  var startedAt: [ShardKey: Double] = [:]
  var abandonedAt: [ShardKey: Double] = [:]
  var finished: [CompletedShard] = []
  var oldestFinishedAt: Double?
  var completing: [ShardKey: CompletedShard] = [:]
  /// No completion before this time (the last one failed).
  var completionRetryAt: Double?
  var failing: Set<ShardKey> = []
  var claimInFlight = false
  var heartbeatInFlight = false
  var lastHeartbeat = 0.0
  /// No claim before this time (after a claim found nothing or failed).
  var idleUntil: Double?
  /// A claim found nothing while work was in flight (with `exitWhenIdle`: claim again, then
  /// survey, once nothing is).
  var claimAgainWhenSettled = false
  var surveyInFlight = false
  /// Since when surveys have shown nothing but live leases (for `idleGrace`).
  var onlyLeasedSince: Double?
  /// Leases may exist that this worker does not know of: ask before claiming.
  var needsRecovery = false
  var recoveryInFlight = false
  var recoveryRetryAt: Double?

  public init(configuration: Configuration) {
    self.configuration = configuration
    self.needsRecovery = configuration.recoverOnStart
  }

  /// Whether the worker has exited.
  public var hasExited: Bool { phase == .exited }

  /// Shards whose lease this worker holds and still wants.
  public var heldLeases: [ClaimedShard] {
    let running = executing.filter { !abandoned.contains($0.key) }.values
    return (ready + running + finished.map(\.claim)).sorted { $0.key < $1.key }
  }

  /// Shards in any stage between claim and confirmed completion.
  public var inFlightCount: Int {
    ready.count + executing.count + finished.count + completing.count + failing.count
  }

  /// Nothing in flight but abandoned executions (whose results will be dropped anyway).
  var settled: Bool {
    ready.isEmpty && finished.isEmpty && completing.isEmpty && failing.isEmpty
      && executing.keys.allSatisfy { abandoned.contains($0) }
  }

  /// The next time at which a `tick` has something to do (heartbeat, batch flush, poll, drain
  /// deadline); nil when only an event can change anything.
  public var nextDeadline: Double? {
    var candidates: [Double] = []
    let held = heldLeases
    if !held.isEmpty { candidates.append(lastHeartbeat + heartbeatInterval(for: held)) }
    if let oldestFinishedAt {
      candidates.append(
        max(oldestFinishedAt + configuration.completionDelay, completionRetryAt ?? 0))
    }
    if let timeout = configuration.executionTimeout {
      for (key, start) in startedAt where !abandoned.contains(key) {
        candidates.append(start + timeout)
      }
      // Every executor stuck: the moment the worker counts as wedged.
      if executing.count >= configuration.concurrency,
        executing.keys.allSatisfy({ abandoned.contains($0) }),
        let last = executing.keys.compactMap({ abandonedAt[$0] }).max()
      {
        candidates.append(last + timeout)
      }
    }
    if needsRecovery, !recoveryInFlight, let recoveryRetryAt { candidates.append(recoveryRetryAt) }
    switch phase {
    case .running: if let idleUntil { candidates.append(idleUntil) }
    case .draining(let deadline): candidates.append(deadline)
    case .created, .exited: break
    }
    return candidates.min()
  }

  public mutating func event(_ event: Event, now: Double) -> [Action] {
    guard phase != .exited else { return [] }
    var actions: [Action] = []
    switch event {
    case .started:
      if phase == .created {
        phase = .running
        lastHeartbeat = now
      }
    case .claimed(let shards):
      claimInFlight = false
      claimAgainWhenSettled = false
      if shards.isEmpty {
        idleUntil = now + configuration.pollInterval
        if configuration.exitWhenIdle && phase == .running {
          if settled {
            surveyInFlight = true
            actions.append(.survey)
          } else {
            claimAgainWhenSettled = true
          }
        } else if !configuration.exitWhenIdle {
          actions.append(.waitForWork(timeout: configuration.pollInterval))
        }
      } else {
        idleUntil = nil
        onlyLeasedSince = nil
        if case .draining = phase {
          actions.append(.release(shards))  // claimed just as shutdown began
        } else {
          ready.append(contentsOf: shards)
        }
      }
    case .claimFailed:
      claimInFlight = false
      idleUntil = now + configuration.errorDelay
    case .surveyed(let outlook):
      surveyInFlight = false
      actions += idle(outlook, now: now)
      if hasExited { return actions }
    case .surveyFailed:
      surveyInFlight = false
      idleUntil = now + configuration.errorDelay
    case .reconnected:
      needsRecovery = true
      recoveryRetryAt = nil
    case .recovered(let shards):
      recoveryInFlight = false
      needsRecovery = false
      recoveryRetryAt = nil
      actions += adopt(shards)
    case .recoveryFailed:
      recoveryInFlight = false
      recoveryRetryAt = now + configuration.errorDelay
    case .executionFinished(let key, let result):
      guard let claim = executing.removeValue(forKey: key) else { break }
      startedAt[key] = nil
      abandonedAt[key] = nil
      if abandoned.remove(key) != nil { break }
      switch result {
      case .success(let output):
        finished.append(CompletedShard(claim: claim, output: output))
        if oldestFinishedAt == nil { oldestFinishedAt = now }
      case .failure(let message, let retryable):
        failing.insert(key)
        actions.append(.fail(claim, error: message, retryable: retryable))
      case .interrupted:
        actions.append(.release([claim]))
      }
    case .completionFinished(let accepted, let rejected):
      for key in accepted + rejected { completing[key] = nil }
    case .completionFailed(let keys):
      // Try again later; the leases stay heartbeated meanwhile.
      for key in keys {
        guard let item = completing.removeValue(forKey: key) else { continue }
        finished.append(item)
      }
      if !finished.isEmpty {
        if oldestFinishedAt == nil { oldestFinishedAt = now }
        completionRetryAt = now + configuration.errorDelay
      }
    case .failReported(let key):
      failing.remove(key)
    case .heartbeatFinished(let lost):
      heartbeatInFlight = false
      actions += dropLost(lost, now: now)
    case .heartbeatFailed:
      heartbeatInFlight = false
      // Try again after the error delay, not a whole interval: the leases are running out.
      let held = heldLeases
      if !held.isEmpty {
        lastHeartbeat = min(
          lastHeartbeat, now + configuration.errorDelay - heartbeatInterval(for: held))
      }
    case .releaseFinished:
      break
    case .wakeUp:
      idleUntil = nil
    case .tick:
      break
    case .shutdownRequested:
      switch phase {
      case .running, .created:
        phase = .draining(deadline: now + configuration.drainDeadline)
        idleUntil = nil
        if !ready.isEmpty {
          actions.append(.release(ready))
          ready.removeAll()
        }
      case .draining:
        phase = .draining(deadline: now)  // asked twice: stop waiting
      case .exited:
        break
      }
    }
    actions += advance(now: now)
    return actions
  }

  /// Whatever is due now: drain deadline, heartbeat, starting shards, flushing, claiming, exiting.
  mutating func advance(now: Double) -> [Action] {
    var actions: [Action] = []
    if case .draining(let deadline) = phase, now >= deadline {
      if completionRetryAt != nil {
        // Completions that keep failing: leave them to their leases rather than wait forever.
        finished.removeAll()
        oldestFinishedAt = nil
        completionRetryAt = nil
      }
      let left = executing.keys.filter { !abandoned.contains($0) }.sorted()
      if !left.isEmpty {
        actions += left.map { .abandon($0) }
        actions.append(.release(left.compactMap { executing[$0] }))
        abandon(left, now: now)
      }
    }
    actions += timeOut(now: now)
    if phase != .exited, let code = wedged(now: now) {
      // Hand back what may be handed back; the stuck shards were failed when they timed out.
      if !ready.isEmpty {
        actions.append(.release(ready))
        ready.removeAll()
      }
      phase = .exited
      actions.append(.exit(code: code))
      return actions
    }
    let held = heldLeases
    if !held.isEmpty, !heartbeatInFlight, now >= lastHeartbeat + heartbeatInterval(for: held) {
      heartbeatInFlight = true
      lastHeartbeat = now
      actions.append(.heartbeat(held))
    } else if held.isEmpty {
      lastHeartbeat = now  // a lease taken from now on is fresh: first heartbeat one interval on
    }
    if phase == .running {
      while executing.count < configuration.concurrency, !ready.isEmpty {
        let shard = ready.removeFirst()
        executing[shard.key] = shard
        startedAt[shard.key] = now
        actions.append(.execute(shard))
      }
    }
    actions += flushIfDue(now: now)
    if claimAgainWhenSettled, settled {
      claimAgainWhenSettled = false
      idleUntil = nil  // everything in flight is settled: one more claim, then the survey
    }
    if needsRecovery, !recoveryInFlight, !claimInFlight, phase != .exited,
      recoveryRetryAt.map({ now >= $0 }) ?? true
    {
      recoveryInFlight = true
      actions.append(.recover)
    }
    if phase == .running, !claimInFlight, !surveyInFlight, !needsRecovery,
      idleUntil.map({ now >= $0 }) ?? true
    {
      let slots =
        configuration.concurrency + configuration.prefetch - ready.count - executing.count
      if slots > 0 {
        claimInFlight = true
        idleUntil = nil
        actions.append(.claim(limit: min(configuration.claimBatch, slots)))
      }
    }
    if case .draining = phase, !claimInFlight, !recoveryInFlight, ready.isEmpty, finished.isEmpty,
      completing.isEmpty, failing.isEmpty, executing.keys.allSatisfy({ abandoned.contains($0) })
    {
      phase = .exited
      actions.append(.exit(code: 0))
    }
    return actions
  }

  /// An idle `exitWhenIdle` worker's decision on the queue's outlook: claim again at once, exit,
  /// or wait for the next lease expiry or retry time (a wake-up cuts it short).
  mutating func idle(_ outlook: QueueOutlook, now: Double) -> [Action] {
    guard phase == .running, settled, ready.isEmpty else { return [] }
    if outlook.claimable {
      idleUntil = nil
      onlyLeasedSince = nil
      return []
    }
    if outlook.finished {
      phase = .exited
      return [.exit(code: 0)]
    }
    var wait = configuration.pollInterval
    // Just past the moment, by the database's clock: a lease is claimable once it is < now().
    let margin = 0.02
    if let seconds = outlook.nextRetrySeconds { wait = min(wait, max(0, seconds) + margin) }
    if let seconds = outlook.nextExpirySeconds { wait = min(wait, max(0, seconds) + margin) }
    if outlook.retrying == 0, let grace = configuration.idleGrace {
      let since = onlyLeasedSince ?? now
      onlyLeasedSince = since
      if now >= since + grace {
        phase = .exited
        return [.exit(code: 0)]
      }
      wait = min(wait, since + grace - now)
    } else {
      onlyLeasedSince = nil
    }
    idleUntil = now + wait
    return [.waitForWork(timeout: wait)]
  }

  /// Of `shards` (leased to this worker, the database says), those it does not know it holds.
  public func unknownLeases(_ shards: [ClaimedShard]) -> [ClaimedShard] {
    var known = Set((ready + finished.map(\.claim) + completing.values.map(\.claim)).map(\.key))
    known.formUnion(failing)
    known.formUnion(executing.keys.filter { !abandoned.contains($0) })
    return shards.filter { !known.contains($0.key) }
  }

  /// Shards the database says this worker holds: those it does not know of (or had abandoned)
  /// run in the free slots, the rest are released (costing no attempt).
  mutating func adopt(_ shards: [ClaimedShard]) -> [Action] {
    let unknown = unknownLeases(shards)
    guard !unknown.isEmpty else { return [] }
    var release: [ClaimedShard] = []
    for shard in unknown {
      let slots =
        configuration.concurrency + configuration.prefetch - ready.count - executing.count
      if phase == .running, slots > 0, executing[shard.key] == nil {
        ready.append(shard)
      } else {
        release.append(shard)
      }
    }
    if !ready.isEmpty { idleUntil = nil }
    return release.isEmpty ? [] : [.release(release)]
  }

  /// The configured interval, but at most a third of the shortest lease held, so that two
  /// heartbeats can be missed before a lease expires.
  func heartbeatInterval(for held: [ClaimedShard]) -> Double {
    let shortest = held.map(\.leaseSeconds).min().map(Double.init) ?? .infinity
    return min(configuration.heartbeatInterval, shortest / 3)
  }

  mutating func flushIfDue(now: Double) -> [Action] {
    guard let oldest = oldestFinishedAt, !finished.isEmpty else { return [] }
    if let retryAt = completionRetryAt {
      guard now >= retryAt else { return [] }
      completionRetryAt = nil
    }
    let nothingElseComing =
      executing.keys.allSatisfy { abandoned.contains($0) } && ready.isEmpty
    let draining: Bool
    if case .draining = phase { draining = true } else { draining = false }
    guard
      finished.count >= configuration.completionBatch
        || now >= oldest + configuration.completionDelay || nothingElseComing || draining
    else { return [] }
    var actions: [Action] = []
    while !finished.isEmpty {
      let batch = Array(finished.prefix(configuration.completionBatch))
      finished.removeFirst(batch.count)
      for item in batch { completing[item.claim.key] = item }
      actions.append(.complete(batch))
    }
    oldestFinishedAt = nil
    return actions
  }

  mutating func dropLost(_ lost: Set<ShardKey>, now: Double) -> [Action] {
    guard !lost.isEmpty else { return [] }
    var actions: [Action] = []
    ready.removeAll { lost.contains($0.key) }
    finished.removeAll { lost.contains($0.claim.key) }
    if finished.isEmpty { oldestFinishedAt = nil }
    for key in executing.keys.sorted() where lost.contains(key) && !abandoned.contains(key) {
      abandon([key], now: now)
      actions.append(.abandon(key))
    }
    return actions
  }

  mutating func abandon(_ keys: [ShardKey], now: Double) {
    for key in keys where !abandoned.contains(key) {
      abandoned.insert(key)
      abandonedAt[key] = now
    }
  }

  /// Shards that have executed longer than `executionTimeout`: abandoned and failed.
  mutating func timeOut(now: Double) -> [Action] {
    guard let timeout = configuration.executionTimeout else { return [] }
    var actions: [Action] = []
    for key in executing.keys.sorted() where !abandoned.contains(key) {
      guard let start = startedAt[key], now >= start + timeout, let claim = executing[key] else {
        continue
      }
      abandon([key], now: now)
      failing.insert(key)
      actions.append(.abandon(key))
      actions.append(
        .fail(
          claim, error: "execution timed out after \(Self.seconds(timeout)) s (the call never returned)",
          retryable: true))
    }
    return actions
  }

  /// The exit code when every executor has been stuck in an abandoned shard for longer than
  /// `executionTimeout` (calls that are not coming back), else nil.
  func wedged(now: Double) -> Int32? {
    guard let timeout = configuration.executionTimeout,
      executing.count >= configuration.concurrency,
      executing.keys.allSatisfy({ key in abandonedAt[key].map { now >= $0 + timeout } ?? false }),
      finished.isEmpty, completing.isEmpty, failing.isEmpty
    else { return nil }
    return Self.wedgedExitCode
  }

  static func seconds(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
  }
}
