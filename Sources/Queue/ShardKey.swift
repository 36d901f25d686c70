/// Identifies a shard: its job and its index within the job.
public struct ShardKey: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var jobID: Int64
  public var index: Int

  public init(jobID: Int64, index: Int) {
    self.jobID = jobID
    self.index = index
  }

  public static func < (a: ShardKey, b: ShardKey) -> Bool {
    (a.jobID, a.index) < (b.jobID, b.index)
  }

  public var description: String { "job \(jobID) shard \(index)" }
}
