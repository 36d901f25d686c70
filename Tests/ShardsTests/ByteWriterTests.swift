import Testing

@testable import Shards

/// Encodings worked out by hand from the definitions in docs/shard-format.md.
@Suite struct ByteWriterTests {
  @Test(arguments: [
    (0 as UInt64, "00"), (1, "01"), (127, "7f"), (128, "8001"), (300, "ac02"), (16_383, "ff7f"),
    (16_384, "808001"), (UInt64.max, "ffffffffffffffffff01"),
  ])
  func varint(value: UInt64, expected: String) {
    var writer = ByteWriter()
    writer.writeVarint(value)
    #expect(writer.bytes == bytes(hex: expected))
    #expect(Varint.encodedLength(value) == writer.count)
  }

  @Test(arguments: [
    (0 as Int64, "00"), (-1, "01"), (1, "02"), (-2, "03"), (2_147_483_647, "feffffff0f"),
    (Int64.max, "feffffffffffffffff01"), (Int64.min, "ffffffffffffffffff01"),
  ])
  func zigzag(value: Int64, expected: String) {
    var writer = ByteWriter()
    writer.writeZigZag(value)
    #expect(writer.bytes == bytes(hex: expected))
  }

  @Test func fixedWidthAndFloats() {
    var writer = ByteWriter()
    writer.writeLittleEndian(UInt16(0x1234))
    writer.writeLittleEndian(Int32(-2))
    writer.writeLittleEndian(UInt64(0x0102_0304_0506_0708))
    writer.writeFloat(1.0)
    writer.writeDouble(-2.5)
    writer.writeUInt8(0xAB)
    #expect(writer.bytes == bytes(hex: "3412 feffffff 0807060504030201 0000803f 00000000000004c0 ab"))
  }

  @Test func stringsAndBytes() {
    var writer = ByteWriter()
    writer.writeString("é")
    writer.writeString("")
    writer.writeBytes([1, 2, 3])
    writer.writeRaw([9])
    #expect(writer.bytes == bytes(hex: "02c3a9 00 03010203 09"))
  }

  @Test func roundTripThroughReader() throws {
    var writer = ByteWriter()
    let strings = ["", "plain", "Ünïcödé/日本語/🙂.jpg", "e\u{301}"]
    for s in strings { writer.writeString(s) }
    for v: Int64 in [0, -1, 1, .min, .max, -123_456_789] { writer.writeZigZag(v) }
    writer.writeDouble(.pi)
    writer.writeFloat(-.infinity)
    writer.writeBytes(pattern(300))
    var reader = ByteReader(writer.bytes)
    for s in strings {
      // Compare bytes: Swift's == would equate "é" with "e\u{301}".
      #expect(Array(try reader.readString().utf8) == Array(s.utf8))
    }
    for v: Int64 in [0, -1, 1, .min, .max, -123_456_789] { #expect(try reader.readZigZag() == v) }
    #expect(try reader.readDouble() == .pi)
    #expect(try reader.readFloat() == -.infinity)
    #expect(try reader.readBytes() == pattern(300))
    #expect(reader.isAtEnd)
  }
}
