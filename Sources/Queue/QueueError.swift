/// A queue operation that cannot go ahead: a stable `code`, the job or shard concerned, and why.
public struct QueueError: Error, CustomStringConvertible, Sendable {
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }

    public static let jobNotFound = Code("job-not-found")
    /// The job is in a state that does not allow the operation (e.g. retry of a running job).
    public static let invalidState = Code("invalid-state")
    /// Arguments that make no sense (a negative limit, a bad job definition).
    public static let invalidArgument = Code("invalid-argument")
    /// The server answered with a shape this code did not expect.
    public static let unexpectedResult = Code("unexpected-result")
  }

  public var code: Code
  /// What it is about, e.g. `job 12` or `job 12 shard 3`.
  public var subject: String
  public var message: String

  public init(_ code: Code, _ subject: String, _ message: String) {
    self.code = code
    self.subject = subject
    self.message = message
  }

  public var description: String { "queue \(code): \(subject): \(message)" }
}
