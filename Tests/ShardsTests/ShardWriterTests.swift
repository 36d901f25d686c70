import Testing

@testable import Shards

@Suite struct ShardWriterTests {
  private func littleEndian<T: FixedWidthInteger>(_ blob: [UInt8], _ offset: Int, as: T.Type) -> T {
    var value: T = 0
    for i in 0..<MemoryLayout<T>.size { value |= T(blob[offset + i]) << (8 * i) }
    return value
  }

  /// The header fields read back by hand at the documented offsets.
  @Test func emptyShardLayout() throws {
    let writer = try ShardWriter(kind: .pvpInput)
    let blob = try writer.finish()
    let b = blob.bytes
    #expect(Array(b[0..<4]) == [0x89, 0x50, 0x50, 0x53])
    #expect(littleEndian(b, 4, as: UInt16.self) == 1)
    #expect(littleEndian(b, 6, as: UInt16.self) == 0)
    #expect(Array(b[8..<12]) == Array("PVPI".utf8))
    #expect(littleEndian(b, 12, as: UInt64.self) == 0)
    #expect(littleEndian(b, 20, as: UInt64.self) == 0)
    let payloadLength = Int(littleEndian(b, 28, as: UInt64.self))
    #expect(littleEndian(b, 36, as: UInt32.self) == CRC32.checksum(Array(b[48...])))
    #expect(littleEndian(b, 40, as: UInt32.self) == 0)
    #expect(littleEndian(b, 44, as: UInt32.self) == CRC32.checksum(Array(b[0..<44])))
    #expect(b.count == 48 + payloadLength)
    #expect(Array(b[48..<52]) == [0x28, 0xB5, 0x2F, 0xFD])
    #expect(blob.digest == "sha256:" + SHA256.hexString(SHA256.hash(b)))

    let reader = try ShardReader(blob: blob, expectedKind: .pvpInput, name: "empty")
    #expect(reader.count == 0)
    #expect(reader.metadata == nil)
    #expect(try reader.next(PVPImageQuestions.self) == nil)
    #expect(try reader.next(PVPImageQuestions.self) == nil)
  }

  @Test func oneRecord() throws {
    let record = sampleQuestions(3)
    var writer = try ShardWriter(kind: .pvpInput, metadata: #"{"job":3}"#)
    try writer.append(record)
    #expect(writer.count == 1)
    let blob = try writer.finish()
    var body = ByteWriter()
    record.encode(into: &body)
    let metadataLength = 9
    #expect(littleEndian(blob.bytes, 12, as: UInt64.self) == 1)
    // Content: a 1-byte length prefix and the body.
    #expect(littleEndian(blob.bytes, 20, as: UInt64.self) == UInt64(1 + body.count))
    #expect(Array(blob.bytes[44..<(44 + metadataLength)]) == Array(#"{"job":3}"#.utf8))

    let reader = try ShardReader(
      bytes: blob.bytes, expectedDigest: blob.digest, expectedKind: .pvpInput, name: "one")
    #expect(reader.metadata == #"{"job":3}"#)
    #expect(reader.count == 1)
    let first: PVPImageQuestions? = try reader.next()
    #expect(first == record)
    #expect(try reader.next(PVPImageQuestions.self) == nil)
    #expect(reader.recordsRead == 1)
  }

  @Test func hundredThousandRecords() throws {
    var writer = try ShardWriter(kind: .pvpOutput, metadata: #"{"job":7,"shard":2}"#)
    var expected = [PVPImageAnswers]()
    for i in 0..<100_000 {
      let n = i % 7
      var answers = [PVPAnswer]()
      for j in 0..<n {
        let index = UInt64(i * 10 + j)
        answers.append(
          PVPAnswer(
            index: index, row: UInt16(j), col: UInt16(63 - j), r: UInt8(i & 0xFF), g: UInt8(j),
            b: UInt8((i >> 8) & 0xFF)
          ))
      }
      let record = PVPImageAnswers(image: "img/\(i).jpg", imageID: Int64(i) - 50_000, answers: answers)
      expected.append(record)
      try writer.append(record)
    }
    let blob = try writer.finish()
    let reader = try ShardReader(blob: blob, expectedKind: .pvpOutput, name: "big")
    #expect(reader.count == 100_000)
    let records = try reader.readAll(PVPImageAnswers.self)
    #expect(records.count == expected.count)
    #expect(records == expected)
  }

  @Test func unicodePaths() throws {
    let images = [
      "images/Ünïcödé/日本語/🙂.jpg", "e\u{301}.png", "\u{e9}.png", "tab\there/new\nline.jpg", "",
      String(repeating: "長い", count: 5000),
    ]
    var writer = try ShardWriter(kind: .pvpInput)
    for image in images { try writer.append(sampleQuestions(2, image: image)) }
    let blob = try writer.finish()
    let reader = try ShardReader(blob: blob, expectedKind: .pvpInput, name: "unicode")
    for image in images {
      let record = try #require(try reader.next(PVPImageQuestions.self))
      // Byte comparison: Swift's String == treats "e\u{301}" and "\u{e9}" as equal.
      #expect(Array(record.image.utf8) == Array(image.utf8))
    }
    #expect(try reader.next(PVPImageQuestions.self) == nil)
  }

  static let metadataSamples: [String?] = [
    nil, "", #"{"job":1,"seed":42,"note":"日本語 ✓"}"#, String(repeating: "x", count: 100_000),
  ]

  @Test(arguments: metadataSamples.indices)
  func metadata(sample: Int) throws {
    let text = Self.metadataSamples[sample]
    let writer = try ShardWriter(kind: .pvpInput, metadata: text)
    let blob = try writer.finish()
    let reader = try ShardReader(blob: blob, expectedKind: nil, name: "metadata")
    let expected = (text?.isEmpty ?? true) ? nil : text
    #expect(reader.metadata == expected)
    #expect(blob.size == 48 + (text?.utf8.count ?? 0) + Int(littleEndianPayloadLength(blob.bytes)))
  }

  private func littleEndianPayloadLength(_ blob: [UInt8]) -> UInt64 {
    littleEndian(blob, 28, as: UInt64.self)
  }

  @Test func sameInputSameBytes() throws {
    func write() throws -> ShardBlob {
      var writer = try ShardWriter(kind: .pvpInput, metadata: "{}")
      for i in 0..<1000 { try writer.append(sampleQuestions(i % 5, image: "\(i).jpg")) }
      return try writer.finish()
    }
    let first = try write()
    let second = try write()
    #expect(first.bytes == second.bytes)
    #expect(first.digest == second.digest)
  }

  @Test(arguments: [-5 as Int32, 1, 3, 19])
  func levels(level: Int32) throws {
    var writer = try ShardWriter(kind: .pvpInput, level: level)
    let records = (0..<2000).map { sampleQuestions($0 % 9, image: "p/\($0).jpg") }
    for record in records { try writer.append(record) }
    let blob = try writer.finish()
    let reader = try ShardReader(blob: blob, expectedKind: .pvpInput, name: "level \(level)")
    #expect(try reader.readAll(PVPImageQuestions.self) == records)
  }

  @Test(arguments: [20 as Int32, 22, -200_000])
  func levelsOutsideTheRange(level: Int32) {
    let error = shardError { () throws(ShardError) in _ = try ShardWriter(kind: .pvpInput, level: level) }
    #expect(error?.code == .compression)
  }

  @Test func appendingAnotherKind() throws {
    var writer = try ShardWriter(kind: .pvpOutput, name: "job 1 shard 0 (output)")
    let error = shardError { () throws(ShardError) in try writer.append(sampleQuestions(1)) }
    #expect(error?.code == .wrongKind)
    #expect(error?.shard == "job 1 shard 0 (output)")
    #expect(writer.count == 0)
  }

  @Test func recordOverTheLimit() throws {
    var writer = try ShardWriter(kind: .pvpInput)
    let error = shardError { () throws(ShardError) in
      try writer.appendRaw([UInt8](repeating: 0, count: ShardWriter.maxRecordSize + 1))
    }
    #expect(error?.code == .compression)
  }

  /// Copying a shard record by record through the raw API reproduces it byte for byte.
  @Test func rawCopy() throws {
    var writer = try ShardWriter(kind: .pvpInput, metadata: #"{"copy":true}"#)
    for i in 0..<5000 { try writer.append(sampleQuestions(i % 4, image: "\(i)")) }
    let original = try writer.finish()
    let reader = try ShardReader(blob: original, expectedKind: .pvpInput, name: "original")
    var copy = try ShardWriter(kind: reader.kind, metadata: reader.metadata)
    while let raw = try reader.nextRawRecord() { try copy.appendRaw(raw) }
    let copied = try copy.finish()
    #expect(copied.bytes == original.bytes)
    #expect(copied.digest == original.digest)
  }
}
