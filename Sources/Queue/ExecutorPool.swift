import Dispatch
import Foundation
import Logging
import Synchronization

/// N executor threads, each with its own lazily opened connection, running shards handed over
/// by the controller and posting results to an inbox (then waking the controller).
final class ExecutorPool: Sendable {
  enum Work: Sendable {
    case run(ClaimedShard)
    case stop
  }

  let executor: any ShardExecutor
  let store: any BlobStore
  let logger: Logger
  let databaseURL: String
  let applicationName: String
  let reconnect: RetryPolicy
  let pending = Mutex<[Work]>([])
  let available = DispatchSemaphore(value: 0)
  let results = Mutex<[(ShardKey, WorkerStateMachine.ExecutionResult)]>([])
  /// Shards whose executors should stop (lease lost, deadline passed).
  let cancelled = Mutex<Set<ShardKey>>([])
  let wake: @Sendable () -> Void
  let threadCount: Int
  /// Entered by each thread while it runs: `stop` waits on it.
  let running = DispatchGroup()

  init(
    threads: Int, executor: any ShardExecutor, store: any BlobStore, logger: Logger,
    databaseURL: String, applicationName: String, reconnect: RetryPolicy,
    wake: @escaping @Sendable () -> Void
  ) {
    self.threadCount = threads
    self.executor = executor
    self.store = store
    self.logger = logger
    self.databaseURL = databaseURL
    self.applicationName = applicationName
    self.reconnect = reconnect
    self.wake = wake
  }

  func start() {
    for number in 0..<threadCount {
      running.enter()
      let thread = Thread { [self] in
        self.loop(number: number)
        self.running.leave()
      }
      thread.name = "executor-\(number)"
      thread.stackSize = 8 << 20  // decoders and BLAS like deep stacks
      thread.start()
    }
  }

  func submit(_ shard: ClaimedShard) {
    cancelled.withLock { _ = $0.remove(shard.key) }
    pending.withLock { $0.append(.run(shard)) }
    available.signal()
  }

  func cancel(_ key: ShardKey) {
    cancelled.withLock { _ = $0.insert(key) }
  }

  /// Threads finish the shard they run (its result is dropped), then end. Waits up to `wait`
  /// seconds for them: a process that exits while an executor is still inside a model call
  /// tears down what that call uses under it (an abandoned shard's call, after a freeze, say).
  /// Returns whether they all ended.
  @discardableResult
  func stop(wait: Double) -> Bool {
    pending.withLock { work in
      work.removeAll()
      work.append(contentsOf: Array(repeating: Work.stop, count: threadCount))
    }
    for _ in 0..<threadCount { available.signal() }
    if running.wait(timeout: .now() + max(0, wait)) == .timedOut {
      logger.info("exiting with executors still busy", metadata: ["worker.wait": "\(wait)"])
      return false
    }
    return true
  }

  func takeResults() -> [(ShardKey, WorkerStateMachine.ExecutionResult)] {
    results.withLock { results in
      defer { results.removeAll() }
      return results
    }
  }

  func loop(number: Int) {
    var logger = self.logger
    logger[metadataKey: "executor"] = "\(number)"
    // Connect before the first shard arrives, while the controller makes its own connection and
    // claims: a new backend takes milliseconds. If this fails, the first shard tries again.
    var connection = try? connect(logger: logger, attempts: 1)
    while true {
      available.wait()
      let work = pending.withLock { $0.isEmpty ? nil : $0.removeFirst() }
      guard let work else { continue }
      guard case .run(let shard) = work else { return }
      let key = shard.key
      var shardLogger = logger
      shardLogger[metadataKey: "job.id"] = "\(shard.jobID)"
      shardLogger[metadataKey: "shard.index"] = "\(shard.index)"
      shardLogger[metadataKey: "shard.attempt"] = "\(shard.attempt)"
      let result: WorkerStateMachine.ExecutionResult
      do {
        if connection?.isBroken ?? true {
          connection = nil
          connection = try connect(logger: logger, attempts: 5)
        }
        let context = ExecutionContext(
          connection: connection!, store: store, logger: shardLogger,
          isCancelled: { [self] in self.cancelled.withLock { $0.contains(key) } })
        result = .success(try executor.execute(shard, context: context))
      } catch let failure as ShardFailure where failure.code == ShardFailure.databaseCode {
        result = .interrupted(message: failure.description)
      } catch let failure as ShardFailure {
        result = .failure(message: failure.description, retryable: failure.retryable)
      } catch let error as PGError where error.isTransient {
        // The database went away under the shard (a restart, a terminated backend): not the
        // shard's fault. The next shard gets a fresh connection.
        result = .interrupted(message: "\(error)")
      } catch {
        result = .failure(message: "\(error)", retryable: true)
      }
      results.withLock { $0.append((key, result)) }
      wake()
    }
  }

  /// An executor's connection. Executors only read inputs and store output blobs; the results
  /// that count are written by the controller's completing transaction, which commits
  /// synchronously after the blob's commit and so flushes the blob's WAL with its own. The blob
  /// commit therefore need not wait for its own flush (`synchronous_commit = off`): if the server
  /// crashes before the completion commits, the shard is not done and runs again.
  func connect(logger: Logger, attempts: Int) throws -> PGConnection {
    let connection = try PGConnection.connect(
      url: databaseURL, logger: logger,
      retry: RetryPolicy(
        initialDelay: reconnect.initialDelay, maxDelay: reconnect.maxDelay, maxAttempts: attempts),
      applicationName: applicationName)
    try connection.execute("SET synchronous_commit = off")
    return connection
  }
}
