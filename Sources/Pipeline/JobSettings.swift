public import Queue

/// The queue settings every enqueue request carries (`coordinator enqueue ... --store
/// --max-attempts --lease-seconds --idempotency-key`), and the job row they make.
public protocol JobSettings {
  var store: String { get set }
  var maxAttempts: Int { get set }
  var leaseSeconds: Int { get set }
  var idempotencyKey: String? { get set }
}

extension GenPVPRequest: JobSettings {}
extension EvalRERequest: JobSettings {}
extension ScoreRefCOCORequest: JobSettings {}
extension GameRequest: JobSettings {}

extension JobSettings {
  /// The job row for a spec encoded as `json`: without an explicit key, the kind and the whole
  /// spec are the idempotency key, so the same specification enqueued twice is one job.
  public func newJob(kind: String, json: String, totalQuestions: Int) -> NewJob {
    NewJob(
      kind: kind, spec: json, idempotencyKey: idempotencyKey ?? "\(kind):\(json)",
      totalQuestions: Int64(totalQuestions), maxAttempts: maxAttempts, leaseSeconds: leaseSeconds)
  }
}
