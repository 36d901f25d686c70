/// A shard this worker holds under a lease: everything needed to run it and to fence its
/// completion (job, index, attempt, owner).
public struct ClaimedShard: Hashable, Sendable, CustomStringConvertible {
  public var jobID: Int64
  public var index: Int
  /// Which claim of the shard this is (1 for the first); completion is fenced on it.
  public var attempt: Int
  /// The lease holder's name; completion is fenced on it too.
  public var owner: String
  /// The secret the claiming process passed (see `LeaseToken`); the database keeps only its
  /// digest and fences every operation on it and on the caller's login.
  public var token: String
  public var kind: String
  /// The job's spec (JSON text).
  public var spec: String
  public var inputDigest: String
  public var inputSize: Int
  public var questions: Int
  public var leaseSeconds: Int

  public init(
    jobID: Int64, index: Int, attempt: Int, owner: String, kind: String, spec: String,
    inputDigest: String, inputSize: Int, questions: Int, leaseSeconds: Int,
    token: String = LeaseToken.process
  ) {
    self.jobID = jobID
    self.index = index
    self.attempt = attempt
    self.owner = owner
    self.token = token
    self.kind = kind
    self.spec = spec
    self.inputDigest = inputDigest
    self.inputSize = inputSize
    self.questions = questions
    self.leaseSeconds = leaseSeconds
  }

  public var key: ShardKey { ShardKey(jobID: jobID, index: index) }

  public var description: String { "job \(jobID) shard \(index) attempt \(attempt)" }
}
