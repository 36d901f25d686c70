import ArgumentParser
import Pipeline

/// Options every `enqueue` subcommand takes: where shard blobs live and how shards are leased and
/// retried. The lease's default is the job kind's (the request's own default).
struct JobOptions: ParsableArguments {
  @Option(help: "Where shard blobs live: postgres (default) or file:///dir that every worker mounts.")
  var store: String = "postgres"
  @Option(parsing: .unconditional, help: "Attempts per shard before it is dead.")
  var maxAttempts: Int = 3
  @Option(
    parsing: .unconditional,
    help: "Seconds a worker's lease on a shard lasts between heartbeats (default: gen-pvp 120, others 300)."
  )
  var leaseSeconds: Int?
  @Option(
    help: """
      Idempotency key, of any length: enqueueing again with the same key returns the first job \
      (default: the kind and the full job specification; the database keeps its SHA-256).
      """)
  var idempotencyKey: String?

  func apply<Request: JobSettings>(to request: inout Request) {
    request.store = store
    request.maxAttempts = maxAttempts
    if let leaseSeconds { request.leaseSeconds = leaseSeconds }
    request.idempotencyKey = idempotencyKey
  }
}
