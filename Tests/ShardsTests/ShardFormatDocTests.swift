import Foundation
import Testing

@testable import Shards

/// Keeps docs/shard-format.md honest: its worked example is recomputed by the writer and read
/// back by the reader.
@Suite struct ShardFormatDocTests {
  static func document() throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    return try String(contentsOf: root.appendingPathComponent("docs/shard-format.md"), encoding: .utf8)
  }

  /// The bytes between the example-hex markers (a fenced block of hex, spaces and newlines).
  static func exampleBytes(_ document: String) throws -> [UInt8] {
    let start = try #require(document.range(of: "<!-- example-hex:begin -->"))
    let end = try #require(document.range(of: "<!-- example-hex:end -->"))
    let block = document[start.upperBound..<end.lowerBound].replacingOccurrences(of: "```", with: "")
    return bytes(hex: block)
  }

  static func exampleDigest(_ document: String) throws -> String {
    let marker = try #require(document.range(of: "<!-- example-digest -->`"))
    let rest = document[marker.upperBound...]
    let close = try #require(rest.firstIndex(of: "`"))
    return String(rest[..<close])
  }

  static let exampleRecord = PVPImageQuestions(
    image: "a.jpg", imageID: 42,
    questions: [PVPLocation(index: 7, row: 1, col: 2), PVPLocation(index: 9, row: 63, col: 0)])

  @Test func writerReproducesTheExample() throws {
    let document = try Self.document()
    var writer = try ShardWriter(kind: .pvpInput, metadata: #"{"job":1}"#, level: 3)
    try writer.append(Self.exampleRecord)
    let blob = try writer.finish()
    #expect(blob.bytes == (try Self.exampleBytes(document)))
    #expect(blob.size == 85)
    #expect(blob.digest == (try Self.exampleDigest(document)))
  }

  @Test func readerDecodesTheExample() throws {
    let document = try Self.document()
    let reader = try ShardReader(
      bytes: try Self.exampleBytes(document), expectedDigest: try Self.exampleDigest(document),
      expectedKind: .pvpInput, name: "docs example")
    #expect(reader.metadata == #"{"job":1}"#)
    #expect(reader.count == 1)
    #expect(try reader.next(PVPImageQuestions.self) == Self.exampleRecord)
    #expect(try reader.next(PVPImageQuestions.self) == nil)
  }

  /// The annotated fields of the example table, at the offsets the header table gives.
  @Test func exampleFieldsMatchTheTables() throws {
    let b = try Self.exampleBytes(try Self.document())
    #expect(CRC32.checksum(Array(b[0..<53])) == 0x50C4_CBDF)
    #expect(CRC32.checksum(Array(b[57...])) == 0xC246_B011)
    #expect(Array(b[53..<57]) == [0xDF, 0xCB, 0xC4, 0x50])
    #expect(Array(b[36..<40]) == [0x11, 0xB0, 0x46, 0xC2])
    // The raw zstd block holds the record stream verbatim: length 14, then the body.
    var body = ByteWriter()
    Self.exampleRecord.encode(into: &body)
    #expect(Array(b[66..<81]) == [14] + body.bytes)
  }
}
