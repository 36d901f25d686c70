import Foundation
import Queue
import Testing

/// The example reporting queries of ops/reports/*.sql run against the real schema.
@Suite(.enabled(if: !TestDatabase.skipped, "PIXELPROBE_SKIP_DB_TESTS=1"))
struct ReportQueriesTests {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("ops/reports").path

  static let files: [String] = {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
      .filter { $0.hasSuffix(".sql") }.sorted()
  }()

  @Test func thereAreReports() {
    #expect(Self.files.count >= 6, "\(Self.files)")
  }

  @Test(arguments: files)
  func reportRunsAgainstTheSchema(file: String) throws {
    let fixture = try QueueFixture("reports")
    let job = try fixture.enqueue(shards: 3, questions: 5)
    let claims = try fixture.claim("reporter", limit: 3)
    try fixture.queue.complete([(claims[0], output(questions: 5))])
    try fixture.queue.fail(claims[1], error: "broken; on purpose", retryable: false)
    let sql = try String(contentsOfFile: Self.directory + "/" + file, encoding: .utf8)
    let rows = try fixture.connection.query(sql)
    #expect(rows.columnCount >= 2)
    switch file {
    case "job_progress.sql":
      let ids = (0..<rows.count).compactMap { rows.int64($0, 0) }
      #expect(ids.contains(job))
    case "attempts.sql":
      let mine = (0..<rows.count).first { rows.int64($0, 0) == job }
      let row = try #require(mine)
      #expect(rows.int(row, 1) == 3 && rows.int(row, 5) == 0)
    case "dead_shards.sql":
      #expect((0..<rows.count).contains { rows.int64($0, 0) == job && rows.int($0, 2) == 1 })
    case "workers.sql":
      #expect((0..<rows.count).contains { rows.string($0, 0) == "reporter" })
    default:
      break
    }
  }
}
