import Testing

@testable import Shards

@Suite struct RefRecordsTests {
  static let input = RefImageInput(
    image: "a.jpg", imageID: 7, encoded: [0xFF, 0xD8], width: 500, height: 338,
    sentences: [
      RefSentenceInput(
        ordinal: 3, dataset: "refcoco", split: "val", refID: 1, sentID: -2, annotationID: 4,
        sentence: "man", truthRLE: "0;", truthBox: RefCorners(x1: 1, y1: 2, x2: 0.5, y2: -1))
    ])

  static let output = RefSentenceOutput(
    ordinal: 3, dataset: "refcoco", split: "val", refID: 1, sentID: 2, image: "a.jpg", width: 4,
    height: 2, grid: 2, recAnswer: "{<1>", recBox: nil, boxSource: .fallback, maskBox: nil,
    cells: [1, 3], answers: ["1", "x"], parsed: [true, nil], intersection: 2, union: 5)

  /// Bytes worked out by hand from the layouts in docs/shard-format.md.
  @Test func inputLayout() throws {
    var writer = ByteWriter()
    Self.input.encode(into: &writer)
    let expected = bytes(
      hex: """
        05612e6a7067 0e 02ffd8 f403 d202 01
        03 07726566636f636f 0376616c 02 03 08 036d616e 02303b
        000000000000f03f 0000000000000040 000000000000e03f 000000000000f0bf
        """)
    #expect(writer.bytes == expected)
    var reader = ByteReader(writer.bytes)
    #expect(try RefImageInput.decode(from: &reader) == Self.input)
    #expect(reader.isAtEnd)
  }

  @Test func outputLayout() throws {
    var writer = ByteWriter()
    Self.output.encode(into: &writer)
    // ordinal | dataset | split | ref 1 -> 2 | sent 2 -> 4 | image | 4, 2, 2 | answer | no box |
    // fallback | whole image | 2 cells 1, +2 | "1" parsed 1 | "x" unparsable | 2, 5
    let expected = bytes(
      hex: """
        03 07726566636f636f 0376616c 02 04 05612e6a7067 04 02 02 047b3c313e 00
        03 00 02 01 02 0131 01 0178 02 02 05
        """)
    #expect(writer.bytes == expected)
    var reader = ByteReader(writer.bytes)
    #expect(try RefSentenceOutput.decode(from: &reader) == Self.output)
    #expect(Self.output.gridMask == [0, 1, 0, 0])
  }

  @Test func boxesAndEverySourceRoundTrip() throws {
    for source in RefBoxSource.allCases {
      var record = Self.output
      record.boxSource = source
      record.recBox = RefCorners(x1: 0.25, y1: 10, x2: 499.5, y2: 1e9)
      record.maskBox = source == .full ? nil : RefCorners(x1: -1, y1: 0, x2: 3, y2: 2)
      var writer = ByteWriter()
      record.encode(into: &writer)
      var reader = ByteReader(writer.bytes)
      #expect(try RefSentenceOutput.decode(from: &reader) == record)
    }
  }

  @Test func malformedOutputsAreRefused() {
    func decode(_ mutate: (inout RefSentenceOutput) -> Void) -> ShardError? {
      var record = Self.output
      mutate(&record)
      var writer = ByteWriter()
      record.encode(into: &writer)
      var reader = ByteReader(writer.bytes)
      return shardError { () throws(ShardError) in _ = try RefSentenceOutput.decode(from: &reader) }
    }
    #expect(decode { $0.cells = [3, 4] }?.detail.contains("outside") == true)
    #expect(decode { $0.intersection = 6 }?.detail.contains("do not fit") == true)
    #expect(decode { $0.union = 9 }?.detail.contains("do not fit") == true)
    // Box source byte 4 (after the REC flag at a known offset): patch the encoded bytes.
    var writer = ByteWriter()
    Self.output.encode(into: &writer)
    var patched = writer.bytes
    let sourceOffset = 1 + 8 + 4 + 1 + 1 + 6 + 3 + 5 + 1
    #expect(patched[sourceOffset] == 3)
    patched[sourceOffset] = 4
    var reader = ByteReader(patched)
    let error = shardError { () throws(ShardError) in _ = try RefSentenceOutput.decode(from: &reader) }
    #expect(error?.code == .badRecord)
    #expect(error?.detail.contains("box source") == true)
  }

  @Test func hostileSentenceCount() {
    // "x" | id 0 | no bytes | 1 x 1 | count 2^20 with nothing after it
    var reader = ByteReader(bytes(hex: "0178 00 00 01 01 808040"))
    let error = shardError { () throws(ShardError) in _ = try RefImageInput.decode(from: &reader) }
    #expect(error?.code == .badRecord)
    #expect(error?.detail.contains("count") == true)
  }
}
