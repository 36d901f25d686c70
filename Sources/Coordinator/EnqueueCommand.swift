import ArgumentParser

struct EnqueueCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "enqueue",
    abstract: "Plan a job into shards and store it; prints the job id alone on stdout.",
    discussion: """
      Enqueueing is one transaction: on any error nothing is stored. The same specification \
      enqueued twice returns the first job's id (the idempotency key defaults to the full spec; \
      jobs.idempotency_key holds its SHA-256, job_key_digest(key) in SQL).
      """,
    subcommands: [
      EnqueueGenPVPCommand.self, EnqueueEvalRECommand.self, EnqueueScoreRefCOCOCommand.self,
      EnqueuePlayGameCommand.self, EnqueueGenGameCommand.self, EnqueueEvalVQACommand.self,
    ])
}
