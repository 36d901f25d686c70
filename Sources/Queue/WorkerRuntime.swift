import Foundation
public import Logging
import Synchronization

/// Runs a worker: the calling thread becomes the controller (its own connection: claim,
/// complete, heartbeat, fail, release; LISTEN with a poll timeout) and `concurrency` executor
/// threads run the shards. Decisions come from `WorkerStateMachine`; this class only performs
/// them. When the database goes away the controller reconnects with backoff and goes on; shards
/// whose completion could not be confirmed are left to the lease mechanism.
public final class WorkerRuntime: Sendable {
  public let configuration: WorkerConfiguration
  let executor: any ShardExecutor
  let store: any BlobStore
  let logger: Logger
  /// Shutdown requests so far (a second one cuts the drain short).
  let shutdownRequests = Atomic<Int>(0)
  /// Set when `run` returned while an executor was still inside a shard (a call that never
  /// returned, or a drain that ended before an abandoned call did).
  let executorsLeftRunning = Atomic<Bool>(false)
  /// Self-pipe: executors and `requestShutdown` write a byte to wake the controller's poll.
  let wakeRead: Int32
  let wakeWrite: Int32

  public init(
    configuration: WorkerConfiguration, executor: any ShardExecutor, store: any BlobStore,
    logger: Logger
  ) {
    self.configuration = configuration
    self.executor = executor
    self.store = store
    var logger = logger
    logger[metadataKey: "worker.owner"] = "\(configuration.owner)"
    self.logger = logger
    var descriptors: [Int32] = [-1, -1]
    if pipe(&descriptors) == 0 {
      for descriptor in descriptors {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
      }
    }
    self.wakeRead = descriptors[0]
    self.wakeWrite = descriptors[1]
  }

  deinit {
    if wakeRead >= 0 { close(wakeRead) }
    if wakeWrite >= 0 { close(wakeWrite) }
  }

  /// Asks the worker to stop claiming, finish or hand back its shards, and exit 0. Only an atomic
  /// increment and a `write(2)`: safe from a signal handler.
  public func requestShutdown() {
    shutdownRequests.add(1, ordering: .sequentiallyConsistent)
    wake()
  }

  func wake() {
    var byte: UInt8 = 1
    _ = write(wakeWrite, &byte, 1)
  }

  /// Runs until the worker exits; returns the exit code (0: idle with `exitWhenIdle`, or shut
  /// down gracefully). Throws only if the first connection cannot be made. Blocks the calling
  /// thread (it becomes the controller): call it from the main thread or a thread of your own,
  /// never from a Swift concurrency task. Call it once per runtime.
  public func run() throws -> Int32 {
    var controller = Controller(runtime: self)
    try controller.connectFirst()
    return controller.run()
  }

  /// After `run`: an executor thread is still busy, so the process should end without running
  /// its exit-time teardown under that thread (`_exit`).
  public var leftExecutorsRunning: Bool { executorsLeftRunning.load(ordering: .sequentiallyConsistent) }
}

extension WorkerRuntime {
  /// The controller thread's state: its connection, the machine, and the executor pool.
  struct Controller {
    let runtime: WorkerRuntime
    let configuration: WorkerConfiguration
    let logger: Logger
    let pool: ExecutorPool
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant
    var machine: WorkerStateMachine
    var connection: PGConnection?
    var reconnectAttempt = 0
    var nextReconnect = 0.0
    var shutdownsSeen = 0
    /// Set when `queue()` replaced a lost connection, reported to the machine as `reconnected`.
    var reconnected = false
    var generator = SystemRandomNumberGenerator()

    init(runtime: WorkerRuntime) {
      self.runtime = runtime
      self.configuration = runtime.configuration
      self.logger = runtime.logger
      self.pool = ExecutorPool(
        threads: runtime.configuration.concurrency, executor: runtime.executor,
        store: runtime.store, logger: runtime.logger,
        databaseURL: runtime.configuration.databaseURL,
        applicationName: runtime.configuration.applicationName,
        reconnect: runtime.configuration.reconnect, wake: { [runtime] in runtime.wake() })
      self.start = clock.now
      self.machine = WorkerStateMachine(configuration: runtime.configuration.machine)
    }

    var now: Double {
      let elapsed = clock.now - start
      return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    mutating func connectFirst() throws {
      var attempt = 0
      while true {
        attempt += 1
        let connection = try PGConnection.connect(
          url: configuration.databaseURL, logger: logger, retry: configuration.connectRetry,
          applicationName: configuration.applicationName)
        do {
          try connection.listen(configuration.channel)
          self.connection = connection
          return
        } catch let error as PGError
          where error.isTransient && configuration.connectRetry.allowsRetry(after: attempt)
        {
          // The connection was cut right after it was made (a terminated backend, a restart).
          logger.info("lost the first connection; connecting again", metadata: ["error": "\(error)"])
        }
      }
    }

    mutating func run() -> Int32 {
      pool.start()
      let code = loop()
      // An idle worker waits a little for abandoned calls (a thawed worker's return within
      // moments); a drain has its deadline, and a wedged worker's calls never return.
      let idleExit = code == 0 && shutdownsSeen == 0
      if !pool.stop(wait: idleExit ? 5 : 0) {
        runtime.executorsLeftRunning.store(true, ordering: .sequentiallyConsistent)
      }
      return code
    }

    mutating func loop() -> Int32 {
      logger.info(
        "worker started",
        metadata: [
          "worker.concurrency": "\(configuration.concurrency)",
          "worker.kinds": "\(configuration.kinds?.joined(separator: ",") ?? "*")",
        ])
      var actions = machine.event(.started, now: now)
      while true {
        var index = 0
        while index < actions.count {
          let action = actions[index]
          index += 1
          if case .exit(let code) = action {
            logger.info("worker exiting", metadata: ["worker.exit": "\(code)"])
            return code
          }
          if let event = perform(action) {
            actions += machine.event(event, now: now)
          }
          if reconnected {
            reconnected = false
            actions += machine.event(.reconnected, now: now)
          }
        }
        actions = []
        for event in waitForEvents() {
          actions += machine.event(event, now: now)
        }
      }
    }

    /// Waits for an executor result, a notification, a shutdown request or the next deadline.
    mutating func waitForEvents() -> [WorkerStateMachine.Event] {
      let current = now
      let deadline = machine.nextDeadline ?? (current + configuration.pollInterval)
      let timeout = min(max(0, deadline - current), configuration.pollInterval)
      var events: [WorkerStateMachine.Event] = []
      var notified = false
      if pendingWakeups() == 0 {
        if let connection, !connection.isBroken {
          do {
            let (notifications, _) = try connection.waitForInput(
              timeout: timeout, wakeDescriptor: runtime.wakeRead)
            notified = !notifications.isEmpty
          } catch {
            logger.info("lost the database connection", metadata: ["error": "\(error)"])
            self.connection = nil
          }
        } else {
          var descriptor = pollfd(fd: runtime.wakeRead, events: Int16(POLLIN), revents: 0)
          _ = poll(&descriptor, 1, Int32((timeout * 1000).rounded(.up)))
        }
      }
      drainWakePipe()
      let requests = runtime.shutdownRequests.load(ordering: .sequentiallyConsistent)
      while shutdownsSeen < requests {
        shutdownsSeen += 1
        logger.info("shutdown requested", metadata: ["worker.drain": "\(configuration.drainDeadline)"])
        events.append(.shutdownRequested)
      }
      for (key, result) in pool.takeResults() {
        if case .failure(let message, let retryable) = result {
          logger.info(
            "shard failed",
            metadata: [
              "job.id": "\(key.jobID)", "shard.index": "\(key.index)", "error": "\(message)",
              "shard.retryable": "\(retryable)",
            ])
        }
        if case .interrupted(let message) = result {
          logger.info(
            "shard interrupted by the database; handing it back",
            metadata: ["job.id": "\(key.jobID)", "shard.index": "\(key.index)", "error": "\(message)"])
        }
        events.append(.executionFinished(key, result))
      }
      if notified { events.append(.wakeUp) }
      events.append(.tick)
      return events
    }

    /// Bytes waiting in the wake pipe (non-zero: do not block).
    func pendingWakeups() -> Int {
      var descriptor = pollfd(fd: runtime.wakeRead, events: Int16(POLLIN), revents: 0)
      return poll(&descriptor, 1, 0) > 0 ? 1 : 0
    }

    func drainWakePipe() {
      var buffer = [UInt8](repeating: 0, count: 256)
      while read(runtime.wakeRead, &buffer, buffer.count) > 0 {}
    }

    /// The controller's queue, reconnecting (with backoff, never blocking longer than one
    /// connection attempt) when the connection is gone.
    mutating func queue() -> WorkQueue? {
      if let connection, !connection.isBroken {
        return makeQueue(connection)
      }
      connection = nil
      guard now >= nextReconnect else { return nil }
      do {
        let fresh = try PGConnection.connect(
          url: configuration.databaseURL, logger: logger,
          retry: RetryPolicy(initialDelay: 0, maxDelay: 0, maxAttempts: 1),
          applicationName: configuration.applicationName)
        try fresh.listen(configuration.channel)
        logger.info("reconnected to the database")
        connection = fresh
        reconnectAttempt = 0
        reconnected = true
        return makeQueue(fresh)
      } catch {
        reconnectAttempt += 1
        let delay = configuration.reconnect.delay(after: reconnectAttempt, using: &generator)
        nextReconnect = now + delay
        logger.info(
          "cannot reach the database; will retry",
          metadata: ["retry.delay": "\(String(format: "%.2f", delay))", "error": "\(error)"])
        return nil
      }
    }

    func makeQueue(_ connection: PGConnection) -> WorkQueue {
      WorkQueue(
        connection: connection, channel: configuration.channel,
        shardRetry: configuration.shardRetry, logger: logger)
    }

    /// Performs one action; returns the event that reports its outcome, if any.
    mutating func perform(_ action: WorkerStateMachine.Action) -> WorkerStateMachine.Event? {
      switch action {
      case .execute(let shard):
        pool.submit(shard)
        return nil
      case .abandon(let key):
        logger.info(
          "abandoning shard", metadata: ["job.id": "\(key.jobID)", "shard.index": "\(key.index)"])
        pool.cancel(key)
        return nil
      case .waitForWork, .exit:
        return nil
      case .claim(let limit):
        guard let queue = queue() else { return .claimFailed }
        do {
          let shards = try queue.claim(
            owner: configuration.owner, token: configuration.token, kinds: configuration.kinds,
            limit: limit)
          if !shards.isEmpty {
            logger.debug("claimed shards", metadata: ["claim.count": "\(shards.count)"])
          }
          return .claimed(shards)
        } catch {
          noteFailure("claim", error)
          return .claimFailed
        }
      case .survey:
        guard let queue = queue() else { return .surveyFailed }
        do {
          let outlook = try queue.outlook(kinds: configuration.kinds)
          if !outlook.finished && !outlook.claimable {
            logger.debug(
              "nothing to claim yet; waiting for others' leases or retries",
              metadata: [
                "queue.leased": "\(outlook.leased)", "queue.retrying": "\(outlook.retrying)",
                "queue.next_expiry": "\(outlook.nextExpirySeconds.map { String(format: "%.2f", $0) } ?? "-")",
              ])
          }
          return .surveyed(outlook)
        } catch {
          noteFailure("outlook", error)
          return .surveyFailed
        }
      case .recover:
        guard let queue = queue() else { return .recoveryFailed }
        do {
          let owned = try queue.owned(owner: configuration.owner, token: configuration.token)
          let unknown = machine.unknownLeases(owned)
          if !unknown.isEmpty {
            logger.info(
              "found shards leased to this worker that it had not heard of",
              metadata: ["recover.shards": "\(unknown.map(\.description).joined(separator: ", "))"])
          }
          return .recovered(owned)
        } catch {
          noteFailure("recover", error)
          return .recoveryFailed
        }
      case .complete(let batch):
        return complete(batch)
      case .fail(let claim, let message, let retryable):
        if let queue = queue() {
          do {
            let fate = try queue.fail(claim, error: message, retryable: retryable)
            logger.info(
              "reported shard failure",
              metadata: [
                "job.id": "\(claim.jobID)", "shard.index": "\(claim.index)", "shard.fate": "\(fate)",
              ])
          } catch {
            noteFailure("fail", error)
          }
        }
        return .failReported(claim.key)
      case .heartbeat(let claims):
        guard let queue = queue() else { return .heartbeatFailed }
        do {
          let lost = try queue.heartbeat(claims)
          for key in lost.sorted() {
            logger.info(
              "lease lost", metadata: ["job.id": "\(key.jobID)", "shard.index": "\(key.index)"])
          }
          return .heartbeatFinished(lost: lost)
        } catch {
          noteFailure("heartbeat", error)
          return .heartbeatFailed
        }
      case .release(let claims):
        if let queue = queue() {
          do {
            let released = try queue.release(claims)
            logger.info("released shards", metadata: ["release.count": "\(released.count)"])
          } catch {
            noteFailure("release", error)
          }
        }
        return .releaseFinished
      }
    }

    /// Completes a batch in one transaction. If the batch fails for a reason other than the
    /// connection (one shard's results do not write), completes the shards one by one so a bad
    /// shard fails alone.
    mutating func complete(_ batch: [WorkerStateMachine.CompletedShard])
      -> WorkerStateMachine.Event
    {
      let keys = batch.map(\.claim.key)
      guard let queue = queue() else { return .completionFailed(keys) }
      do {
        let accepted = try Self.complete(batch, on: queue)
        return .completionFinished(
          accepted: accepted, rejected: keys.filter { !Set(accepted).contains($0) })
      } catch let error as PGError where error.isTransient {
        noteFailure("complete", error)
        return .completionFailed(keys)
      } catch {
        guard batch.count > 1 else {
          let shard = batch[0].claim
          logger.info(
            "writing a shard's results failed",
            metadata: ["job.id": "\(shard.jobID)", "shard.index": "\(shard.index)", "error": "\(error)"])
          _ = try? queue.fail(shard, error: "writing results failed: \(error)", retryable: true)
          return .completionFinished(accepted: [], rejected: keys)
        }
        var accepted: [ShardKey] = []
        for item in batch {
          if case .completionFinished(let one, _) = complete([item]) { accepted += one }
        }
        return .completionFinished(
          accepted: accepted, rejected: keys.filter { !Set(accepted).contains($0) })
      }
    }

    static func complete(_ batch: [WorkerStateMachine.CompletedShard], on queue: WorkQueue) throws
      -> [ShardKey]
    {
      var outputs: [ShardKey: ShardOutput] = [:]
      for item in batch { outputs[item.claim.key] = item.output }
      var tries = 0
      while true {
        tries += 1
        do {
          return try queue.complete(batch.map { ($0.claim, $0.output) }) { connection, accepted in
            for claim in accepted { try outputs[claim.key]?.writeResults(connection) }
          }
        } catch let error as PGError
          where (error.sqlstate == "40P01" || error.sqlstate == "40001") && tries < 3
        {
          // Two batches spanning the same jobs in opposite order can deadlock on the job rows;
          // the server rolled one back whole, so running it again is safe.
          continue
        }
      }
    }

    mutating func noteFailure(_ operation: String, _ error: any Error) {
      logger.info(
        "queue operation failed", metadata: ["queue.operation": "\(operation)", "error": "\(error)"])
      if let connection, connection.isBroken { self.connection = nil }
    }
  }
}
