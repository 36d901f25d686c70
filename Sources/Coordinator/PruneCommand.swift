import ArgumentParser
import CommandSupport
import Foundation
import Queue

struct PruneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prune",
    abstract:
      "Delete finished jobs older than a given age, their shards, results and attempts, and unreferenced blobs.",
    discussion: """
      A job is pruned when it succeeded, failed or was cancelled more than --older-than ago; its \
      shards, result rows and attempt history go with it. Then blobs of the blobs table that no \
      shard references and that were stored before the same cutoff are deleted. Running jobs are \
      never touched. One transaction; --dry-run counts and changes nothing. Deleted rows leave \
      space that new rows reuse (--vacuum makes it reusable at once); only VACUUM FULL returns it \
      to the operating system. Blobs of a file:// store are not pruned.
      Ages: a number and a unit, s, m, h, d or w, or several (1d12h).
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @Option(help: "Prune what finished longer ago than this (e.g. 30d, 12h, 1d12h).")
  var olderThan: Age
  @Flag(help: "Count what would be pruned; change nothing.")
  var dryRun = false
  @Flag(help: "Run VACUUM (ANALYZE) on the queue's and results' tables afterwards.")
  var vacuum = false
  @Option(help: "text or json.")
  var format: PruneFormat = .text

  func run() throws {
    try reportingErrors("coordinator prune") {
      let logger = logging.makeLogger(label: "coordinator")
      let queue = WorkQueue(connection: try database.connect(logger: logger), logger: logger)
      let report = try queue.prune(olderThan: olderThan.seconds, dryRun: dryRun)
      if vacuum && !dryRun { try queue.vacuum() }
      switch format {
      case .json:
        print(
          #"{"dry_run":\#(report.dryRun),"older_than_seconds":\#(olderThan.seconds),"jobs":\#(report.jobs),"shards":\#(report.shards),"attempts":\#(report.attempts),"blobs":\#(report.blobs),"blob_bytes":\#(report.blobBytes)}"#
        )
      case .text:
        let verb = report.dryRun ? "would delete" : "deleted"
        print(
          "\(verb) \(report.jobs) job(s), \(report.shards) shard(s), \(report.attempts) attempt(s), \(report.blobs) blob(s) (\(report.blobBytes) bytes)"
        )
      }
    }
  }
}

/// An age such as `30d`, `12h`, `1d12h` or `90s`.
struct Age: ExpressibleByArgument {
  var seconds: Double

  init?(argument: String) {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
    var total = 0.0
    var number = ""
    for character in argument {
      if character.isASCII && (character.isNumber || character == ".") {
        number.append(character)
      } else if let unit = units[character], let value = Double(number), value.isFinite {
        total += value * unit
        number = ""
      } else {
        return nil
      }
    }
    guard number.isEmpty, !argument.isEmpty, total.isFinite else { return nil }
    seconds = total
  }

  static var defaultCompletionKind: CompletionKind { .default }
}

enum PruneFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
}
