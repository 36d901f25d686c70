/// A failure of the pipeline layer: a stable code plus the option, file, job or shard it concerns.
public struct PipelineError: Error, CustomStringConvertible, Sendable {
  public enum Code: String, Sendable {
    case badOption, missingInput, emptyCorpus, badCorpus, badSpec, unknownKind, badImage,
      jobFailed, notFound
  }
  public var code: Code
  /// What it concerns: `--questions`, a file path, `job 3`, `job 3 shard 7`...
  public var subject: String
  public var detail: String

  public init(_ code: Code, _ subject: String, _ detail: String) {
    self.code = code
    self.subject = subject
    self.detail = detail
  }

  public var description: String { "\(subject): \(detail)" }
}
