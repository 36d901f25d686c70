import ArgumentParser
import Foundation
import Shards

/// Shard digest, checksum and codec throughput, with `sha256sum` on the same bytes as the peer.
struct ShardsBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "shards", abstract: "SHA-256 digest, shard write and read throughput.")

  @Option(help: "Megabytes hashed by the SHA-256 measurement.")
  var megabytes = 256

  @Option(help: "PVPI records (images) written and read; each has `questions` questions.")
  var records = 200_000

  @Option(help: "Questions per record (the paper's gen-pvp asks 3.6M in all).")
  var questions = 18

  @Option(help: "zstd level of the writer.")
  var level: Int32 = ShardWriter.defaultLevel

  func run() throws {
    print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores")
    try hashing()
    try codec()
  }

  private func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
  }

  private func hashing() throws {
    var bytes = [UInt8](repeating: 0, count: megabytes << 20)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for i in bytes.indices {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      bytes[i] = UInt8(truncatingIfNeeded: state >> 33)
    }
    var digest = ""
    let best = (0..<3).map { _ in seconds { digest = ShardBlob.digest(of: bytes) } }.min()!
    let mb = Double(bytes.count) / 1e6
    print(String(format: "sha256 (Swift)     %8.1f MB/s  (%d MiB, best of 3)", mb / best, megabytes))

    let path = FileManager.default.temporaryDirectory.appendingPathComponent("pixelprobe-bench-sha.bin")
    try Data(bytes).write(to: path)
    defer { try? FileManager.default.removeItem(at: path) }
    var peerOutput = ""
    let peer = try (0..<3).map { _ in
      try seconds {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        peerOutput = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
      }
    }.min()!
    print(
      String(format: "sha256sum (peer)   %8.1f MB/s  (file in page cache, incl. process start)", mb / peer))
    let agree = peerOutput.hasPrefix(String(digest.dropFirst("sha256:".count)))
    print("digests agree: \(agree)")
  }

  private func codec() throws {
    var input = [PVPImageQuestions]()
    input.reserveCapacity(records)
    var index: UInt64 = 0
    for i in 0..<records {
      var locations = [PVPLocation]()
      for q in 0..<questions {
        locations.append(
          PVPLocation(
            index: index, row: UInt16((i &* 31 &+ q &* 7) % 64), col: UInt16((i &* 17 &+ q &* 13) % 64)))
        index += 1
      }
      input.append(
        PVPImageQuestions(
          image: "train2014/COCO_train2014_\(String(100_000 + i)).jpg", imageID: Int64(i),
          questions: locations))
    }
    var blob = ShardBlob(bytes: [], digest: "")
    let write = try seconds {
      var writer = try ShardWriter(kind: .pvpInput, metadata: #"{"bench":true}"#, level: level)
      for record in input { try writer.append(record) }
      blob = try writer.finish()
    }
    var decoded = 0
    let read = try seconds {
      let reader = try ShardReader(blob: blob, expectedKind: .pvpInput, name: "bench")
      while let record: PVPImageQuestions = try reader.next() { decoded += record.questions.count }
    }
    precondition(decoded == records * questions)
    let total = Double(records * questions)
    print(
      String(
        format:
          "write PVPI level %d %8.2f M questions/s  (%d records, %d questions, blob %.1f MB, digest included)",
        level, total / write / 1e6, records, records * questions, Double(blob.size) / 1e6))
    print(
      String(
        format: "read  PVPI          %8.2f M questions/s  (digest verified, records decoded)",
        total / read / 1e6))
  }
}
