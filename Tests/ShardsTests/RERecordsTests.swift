import Testing

@testable import Shards

@Suite struct RERecordsTests {
  /// Canonical, non-canonical and unparsable answers on a 2 x 2 grid.
  static let output = REImageOutput(
    image: "x.png", grid: 2, target: Array(0..<12), cells: [0, 1, 2, 3],
    answers: ["[0,1,2]", " [4,5,6]\n", "[007,8,9]", "I cannot tell"],
    parsed: [[0, 1, 2], [4, 5, 6], [7, 8, 9], nil])

  static func blob(_ kind: RecordKind, _ append: (inout ShardWriter) throws -> Void) throws -> [UInt8] {
    var writer = try ShardWriter(kind: kind, metadata: nil)
    try append(&writer)
    return try writer.finish().bytes
  }

  @Test func compactLayoutRoundTrips() throws {
    let bytes = try Self.blob(.reOutputCompact) { try $0.append(REImageOutputCompact(Self.output)) }
    let reader = try ShardReader(bytes: bytes, expectedDigest: nil, expectedKind: nil, name: "t")
    #expect(reader.kind == .reOutputCompact)
    #expect(try reader.nextREOutput() == Self.output)
    #expect(try reader.nextREOutput() == nil)
  }

  @Test func firstLayoutIsStillRead() throws {
    let bytes = try Self.blob(.reOutput) { try $0.append(Self.output) }
    let reader = try ShardReader(bytes: bytes, expectedDigest: nil, expectedKind: nil, name: "t")
    #expect(reader.kind == .reOutput)
    #expect(try reader.nextREOutput() == Self.output)
    #expect(try reader.nextREOutput() == nil)
  }

  @Test func aCanonicalAnswerTakesFourBytes() {
    // Flag 2 and r, g, b: the answer text is not stored.
    func body(_ answers: [String], _ parsed: [RGBColour?]) -> [UInt8] {
      var writer = ByteWriter()
      REImageOutputCompact(
        REImageOutput(
          image: "x", grid: 1, target: [0, 0, 0], cells: [0], answers: answers, parsed: parsed)
      ).encode(into: &writer)
      return writer.bytes
    }
    let canonical = body(["[200,10,0]"], [[200, 10, 0]])
    // image (1 + 1), grid 1, target (1 + 3), count 1, cell delta 0: 9 bytes before the answer.
    #expect(canonical.suffix(4) == [2, 200, 10, 0])
    #expect(canonical.count == 9 + 4)
    let spaced = body([" [200,10,0]"], [[200, 10, 0]])
    #expect(spaced.count == 9 + 1 + 12 + 3)
    #expect(spaced[9] == 1)
    let unparsable = body(["no"], [nil])
    #expect(Array(unparsable.suffix(4)) == [0, 2, UInt8(ascii: "n"), UInt8(ascii: "o")])
  }

  @Test func anUnknownAnswerFlagIsABadRecord() throws {
    // A valid one-cell record whose answer flag (the last 4 bytes: flag, r, g, b) is set to 3.
    var writer = ByteWriter()
    REImageOutputCompact(
      REImageOutput(
        image: "x", grid: 1, target: [0, 0, 0], cells: [0], answers: ["[1,2,3]"], parsed: [[1, 2, 3]])
    ).encode(into: &writer)
    var body = writer.bytes
    body[body.count - 4] = 3
    var reader = ByteReader(body)
    do {
      _ = try REImageOutputCompact.decode(from: &reader)
      Issue.record("flag 3 was accepted")
    } catch {
      #expect(error.code == .badRecord)
    }
  }

  @Test(arguments: 0...255)
  func answerTextIsTheCanonicalFormat(value: Int) {
    let v = UInt8(value)
    let colour = RGBColour(r: v, g: 255 - v, b: v / 7)
    #expect(colour.answerText == "[\(v),\(255 - v),\(v / 7)]")
  }
}
