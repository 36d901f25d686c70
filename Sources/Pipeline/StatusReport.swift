import Foundation
import Model
public import Queue

/// Renders job progress for people (a table, optional progress bars) and for scripts (JSON).
public enum StatusReport {
  public static func text(_ jobs: [JobProgress], progressBars: Bool = false) -> String {
    guard !jobs.isEmpty else { return "no jobs\n" }
    var lines: [String] = []
    lines.append(
      pad("JOB", 6) + pad("KIND", 14) + pad("STATE", 11) + pad("SHARDS done/run/fail/dead/all", 31)
        + pad("QUESTIONS", 22) + pad("Q/S", 10) + "ETA")
    for job in jobs {
      let shards =
        "\(job.shardsDone)/\(job.shardsRunning)/\(job.shardsFailed)/\(job.shardsDead)/\(job.totalShards)"
      let questions = "\(job.questionsDone)/\(job.totalQuestions)"
      let rate = job.questionsPerSecond.map { String(format: "%.0f", $0) } ?? "-"
      let eta = job.state == "running" ? (job.etaSeconds.map(duration) ?? "-") : "-"
      lines.append(
        pad("\(job.jobID)", 6) + pad(job.kind, 14) + pad(job.state, 11) + pad(shards, 31)
          + pad(questions, 22) + pad(rate, 10) + eta)
      if progressBars {
        lines.append("      " + bar(done: job.questionsDone, total: job.totalQuestions, width: 50))
      }
      if job.leasesExpired > 0, job.state == "running" {
        lines.append(
          "      \(job.leasesExpired) lease(s) past expiry: their worker is gone or frozen; the next claim takes them over"
        )
      }
      for error in job.errors.prefix(3) { lines.append("      dead: \(error)") }
      if let error = job.error, job.state != "running" { lines.append("      error: \(error)") }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  public static func json(_ jobs: [JobProgress]) -> String {
    let objects = jobs.map { job -> String in
      var fields: [String] = [
        #""job":\#(job.jobID)"#, #""kind":\#(jsonLiteral(job.kind))"#,
        #""state":\#(jsonLiteral(job.state))"#,
        #""shards":{"total":\#(job.totalShards),"available":\#(job.shardsAvailable),"running":\#(job.shardsRunning),"expired_leases":\#(job.leasesExpired),"done":\#(job.shardsDone),"failed":\#(job.shardsFailed),"dead":\#(job.shardsDead)}"#,
        #""questions":\#(job.totalQuestions)"#, #""questions_done":\#(job.questionsDone)"#,
        #""questions_per_second":\#(number(job.questionsPerSecond))"#,
        #""eta_seconds":\#(number(job.etaSeconds))"#,
        #""elapsed_seconds":\#(number(job.elapsedSeconds))"#,
        #""errors":[\#(job.errors.map(jsonLiteral).joined(separator: ","))]"#,
      ]
      fields.append(#""error":\#(job.error.map(jsonLiteral) ?? "null")"#)
      return "{" + fields.joined(separator: ",") + "}"
    }
    return "[" + objects.joined(separator: ",\n") + "]\n"
  }

  static func number(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "null" }
    return "\(value)"
  }

  static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
  }

  static func bar(done: Int64, total: Int64, width: Int) -> String {
    let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
    let filled = Int((fraction * Double(width)).rounded(.down))
    return "[" + String(repeating: "#", count: filled)
      + String(repeating: ".", count: width - filled) + "] "
      + String(format: "%5.1f%%", fraction * 100)
  }

  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "-" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
  }
}
