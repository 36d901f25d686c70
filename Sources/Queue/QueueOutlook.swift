/// What is left to do for a worker of some kinds (`WorkQueue.outlook`): the facts an idle
/// `--exit-when-idle` worker decides on. Times are seconds from the moment of the query, by the
/// database's clock, so the worker's own clock does not matter.
public struct QueueOutlook: Sendable, Hashable {
  /// A shard is claimable now: available, failed and due, or under an expired lease.
  public var claimable: Bool
  /// Failed shards waiting for their retry time.
  public var retrying: Int
  /// Seconds until the first of those may be claimed.
  public var nextRetrySeconds: Double?
  /// Shards running under a lease that has not expired.
  public var leased: Int
  /// Seconds until the first of those leases expires (if not renewed).
  public var nextExpirySeconds: Double?

  public init(
    claimable: Bool = false, retrying: Int = 0, nextRetrySeconds: Double? = nil, leased: Int = 0,
    nextExpirySeconds: Double? = nil
  ) {
    self.claimable = claimable
    self.retrying = retrying
    self.nextRetrySeconds = nextRetrySeconds
    self.leased = leased
    self.nextExpirySeconds = nextExpirySeconds
  }

  /// Nothing of these kinds is left in any state that could still need this worker.
  public var finished: Bool { !claimable && retrying == 0 && leased == 0 }
}
