/// A job to enqueue: its kind and spec, and how its shards are leased and retried.
public struct NewJob: Sendable {
  public var kind: String
  /// The job's full spec, as JSON text (stored as `jsonb`).
  public var spec: String
  /// Enqueueing again with the same key returns the existing job and adds nothing.
  public var idempotencyKey: String?
  /// When given, the shards' questions must add up to it (a planning bug otherwise).
  public var totalQuestions: Int64?
  /// Claims per shard before it is dead.
  public var maxAttempts: Int
  /// Lease length; workers heartbeat well within it.
  public var leaseSeconds: Int

  public init(
    kind: String, spec: String, idempotencyKey: String? = nil, totalQuestions: Int64? = nil,
    maxAttempts: Int = 3, leaseSeconds: Int = 60
  ) {
    self.kind = kind
    self.spec = spec
    self.idempotencyKey = idempotencyKey
    self.totalQuestions = totalQuestions
    self.maxAttempts = maxAttempts
    self.leaseSeconds = leaseSeconds
  }
}

/// The job an enqueue made, or found (same idempotency key: `created == false`).
public struct EnqueueResult: Hashable, Sendable {
  public var jobID: Int64
  public var created: Bool
  public var shards: Int
  public var questions: Int64

  public init(jobID: Int64, created: Bool, shards: Int, questions: Int64) {
    self.jobID = jobID
    self.created = created
    self.shards = shards
    self.questions = questions
  }
}
