public import Queue

/// Finds a job's kind, so commands that read results (report, render, compare) can dispatch.
public enum JobKindLookup {
  public static func kind(of job: Int64, connection: PGConnection) throws -> String {
    let rows = try connection.query("SELECT kind FROM jobs WHERE id = $1", [.int(job)])
    guard rows.count == 1, let kind = rows.string(0, 0) else {
      throw PipelineError(.notFound, "job \(job)", "no such job")
    }
    return kind
  }
}
