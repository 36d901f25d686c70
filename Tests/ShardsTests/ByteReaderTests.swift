import Testing

@testable import Shards

@Suite struct ByteReaderTests {
  @Test(arguments: [
    ("", "past the end"),
    ("80", "runs past the end"),
    ("ffffffffffffffffff02", "exceeds 64 bits"),
    ("ffffffffffffffffffff01", "exceeds 64 bits"),
    ("8000", "shortest form"),
    ("ff00", "shortest form"),
  ])
  func malformedVarints(hex: String, message: String) {
    var reader = ByteReader(bytes(hex: hex))
    let error = shardError { () throws(ShardError) in _ = try reader.readVarint() }
    #expect(error?.code == .badRecord)
    #expect(error?.detail.contains(message) == true)
  }

  @Test func largestVarint() throws {
    var reader = ByteReader(bytes(hex: "ffffffffffffffffff01"))
    #expect(try reader.readVarint() == UInt64.max)
    #expect(reader.isAtEnd)
  }

  /// A length prefix claiming far more than is there fails before allocating anything.
  @Test(arguments: ["ffffffffffffffff7f", "ffffffff0f", "04"])
  func hostileLengths(prefix: String) {
    let input = bytes(hex: prefix) + [0x61, 0x62, 0x63]
    var strings = ByteReader(input)
    #expect(shardError { () throws(ShardError) in _ = try strings.readString() }?.code == .badRecord)
    var blobs = ByteReader(input)
    #expect(shardError { () throws(ShardError) in _ = try blobs.readBytes() }?.code == .badRecord)
    var counts = ByteReader(input)
    #expect(
      shardError { () throws(ShardError) in _ = try counts.readCount(minimumElementSize: 1) }?.code
        == .badRecord)
  }

  @Test func countNeedsRoomForEachElement() throws {
    // 4 elements of at least 3 bytes need 12 bytes; 11 are left.
    var short = ByteReader([4] + [UInt8](repeating: 0, count: 11))
    #expect(
      shardError { () throws(ShardError) in _ = try short.readCount(minimumElementSize: 3) }?.code
        == .badRecord)
    var enough = ByteReader([4] + [UInt8](repeating: 0, count: 12))
    #expect(try enough.readCount(minimumElementSize: 3) == 4)
  }

  @Test func invalidUTF8IsAnError() {
    var reader = ByteReader(bytes(hex: "02c328"))
    let error = shardError { () throws(ShardError) in _ = try reader.readString() }
    #expect(error?.code == .badRecord)
    #expect(error?.detail.contains("UTF-8") == true)
  }

  @Test func narrowVarintsAreRangeChecked() throws {
    var reader = ByteReader(bytes(hex: "ffff03 f0a204"))  // 65535, then 70000
    #expect(try reader.readVarint(as: UInt16.self) == 65535)
    #expect(
      shardError { () throws(ShardError) in _ = try reader.readVarint(as: UInt16.self) }?.code == .badRecord)
  }

  @Test func fixedReadsPastTheEnd() {
    var reader = ByteReader([1, 2, 3])
    #expect(
      shardError { () throws(ShardError) in _ = try reader.readLittleEndian(UInt32.self) }?.code == .badRecord
    )
    #expect(shardError { () throws(ShardError) in _ = try reader.readDouble() }?.code == .badRecord)
    #expect(shardError { () throws(ShardError) in _ = try reader.readRaw(count: 4) }?.code == .badRecord)
    #expect(shardError { () throws(ShardError) in _ = try reader.readRaw(count: -1) }?.code == .badRecord)
    #expect(reader.position == 0)
  }

  @Test func readsOnlyItsRange() throws {
    var reader = ByteReader([9, 1, 2, 9], range: 1..<3)
    #expect(try reader.readUInt8() == 1)
    #expect(try reader.readUInt8() == 2)
    #expect(shardError { () throws(ShardError) in _ = try reader.readUInt8() }?.code == .badRecord)
  }
}
