import Foundation
import Imaging
import Queue
import Testing

/// Idempotency keys of any size through the real `coordinator enqueue`: the database keeps their
/// digest, so a spec that lists many long image names, or a long `--idempotency-key`, is one job.
/// On a database of its own: no worker ever runs these jobs.
@Suite struct IdempotencyKeyTests {
  static let database = PrivateDatabase(label: "keys")

  /// A directory of `count` 4 x 4 PNGs whose names are `length` characters long.
  static func corpus(count: Int, length: Int) throws -> String {
    let directory = NSTemporaryDirectory() + "pp-keys-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for index in 0..<count {
      let pixels = (0..<48).map { UInt8(truncatingIfNeeded: $0 * 5 + index) }
      let bytes = try PNGEncoder.encode(RGBImage(width: 4, height: 4, pixels: pixels))
      let stem = String(format: "%05d-", index)
      let name = stem + String(repeating: "n", count: length - stem.count - 4) + ".png"
      try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
    }
    return directory
  }

  static func enqueue(_ arguments: [String]) throws -> Int64 {
    let result = try ProcessRunner.run(
      "coordinator", ["enqueue", "eval-re"] + arguments, environment: ["DATABASE_URL": try database.url()])
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(Int64(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
  }

  @Test func aThousandLongImageNamesAreOneJob() throws {
    let directory = try Self.corpus(count: 1000, length: 120)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let arguments = ["--images", directory, "--count", "1000", "--model", "baseline:mean"]
    let first = try Self.enqueue(arguments)
    #expect(try Self.enqueue(arguments) == first)
    let connection = try Self.database.connect()
    let spec = try connection.query(
      "SELECT jsonb_array_length(spec->'images'), total_shards > 0 FROM jobs WHERE id = $1", [.int(first)])
    #expect(spec.string(0, 0) == "1000" && spec.bool(0, 1) == true)
  }

  @Test func aTenThousandCharacterKeyWorks() throws {
    let directory = try Self.corpus(count: 2, length: 20)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let key = String(repeating: "k", count: 10_000)
    let arguments = ["--images", directory, "--count", "2", "--model", "baseline:mean", "--idempotency-key"]
    let first = try Self.enqueue(arguments + [key])
    #expect(try Self.enqueue(arguments + [key]) == first)
    #expect(try Self.enqueue(arguments + [key + "2"]) != first)
    let connection = try Self.database.connect()
    let found = try connection.query(
      "SELECT id FROM jobs WHERE idempotency_key = job_key_digest($1)", [.text(key)])
    #expect(found.int64(0, 0) == first)
  }
}
