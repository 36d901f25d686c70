import Testing

@testable import Shards

@Suite struct ShardReaderTests {
  /// A small PVPI shard with metadata, used by the corruption cases.
  static func sample(records: Int = 40) throws -> ShardBlob {
    var writer = try ShardWriter(kind: .pvpInput, metadata: #"{"job":3,"shard":17}"#)
    for i in 0..<records { try writer.append(sampleQuestions(i % 6, image: "dir/\(i).jpg")) }
    return try writer.finish()
  }

  static let name = "job 3 shard 17 (input)"

  private func open(_ bytes: [UInt8], digest: String? = nil, kind: RecordKind? = .pvpInput) -> ShardError? {
    shardError { () throws(ShardError) in
      _ = try readEverything(bytes, digest: digest, kind: kind, name: Self.name)
    }
  }

  // MARK: digest

  @Test func digestMismatchNamesShardAndBothDigests() throws {
    let blob = try Self.sample()
    var bytes = blob.bytes
    bytes[bytes.count / 2] ^= 0x01
    let error = try #require(open(bytes, digest: blob.digest))
    #expect(error.code == .digestMismatch)
    let actual = "sha256:" + SHA256.hexString(SHA256.hash(bytes))
    #expect(actual != blob.digest)
    #expect(error.description.contains(Self.name))
    #expect(error.description.contains(blob.digest))
    #expect(error.description.contains(actual))
  }

  @Test func digestIsCheckedBeforeTheHeader() throws {
    // Garbage with a wrong digest reports the digest, not the magic.
    let error = open([1, 2, 3], digest: "sha256:" + String(repeating: "0", count: 64))
    #expect(error?.code == .digestMismatch)
  }

  @Test func digestComparisonIgnoresCase() throws {
    let blob = try Self.sample()
    #expect(open(blob.bytes, digest: blob.digest.uppercased()) == nil)
    #expect(open(blob.bytes, digest: blob.digest) == nil)
  }

  @Test(arguments: ["", "sha256:", "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:abc"])
  func malformedExpectedDigest(digest: String) throws {
    #expect(open(try Self.sample().bytes, digest: digest)?.code == .digestMismatch)
  }

  // MARK: truncation and trailing bytes

  @Test(arguments: [0, 1, 3, 4, 5, 6, 20, 43, 44, 50, 63, 64, 65, 68, 100, -1, -4, -5])
  func truncated(at cut: Int) throws {
    let blob = try Self.sample()
    let length = cut >= 0 ? cut : blob.size + cut
    let bytes = Array(blob.bytes[0..<length])
    #expect(open(bytes)?.code == .truncated)
    #expect(open(bytes, digest: blob.digest)?.code == .digestMismatch)
  }

  @Test(arguments: [[0], [0x28, 0xB5, 0x2F, 0xFD], pattern(1000)])
  func trailingData(extra: [UInt8]) throws {
    let blob = try Self.sample()
    #expect(open(blob.bytes + extra)?.code == .trailingData)
    #expect(open(blob.bytes + extra, digest: blob.digest)?.code == .digestMismatch)
  }

  // MARK: header fields

  @Test func wrongMagic() throws {
    var bytes = try Self.sample().bytes
    #expect(open(Array(bytes[48...]))?.code == .badMagic)  // a bare zstd frame
    #expect(open(Array("PK\u{3}\u{4}".utf8))?.code == .badMagic)
    #expect(open([0x89, 0x50, 0x4E])?.code == .badMagic)  // a PNG's start, even when short
    bytes[0] = 0x09  // the high bit stripped
    #expect(open(bytes)?.code == .badMagic)
  }

  @Test(arguments: [0 as UInt16, 2, 0xFFFF])
  func unsupportedVersion(version: UInt16) throws {
    var bytes = try Self.sample().bytes
    patch(&bytes, at: 4, version)
    #expect(open(bytes)?.code == .unsupportedVersion)
    reseal(&bytes)
    #expect(open(bytes)?.code == .unsupportedVersion)
  }

  @Test func unknownFlags() throws {
    var bytes = try Self.sample().bytes
    patch(&bytes, at: 6, UInt16(1))
    #expect(open(bytes)?.code == .corruptHeader)  // caught by the header CRC first
    reseal(&bytes)
    #expect(open(bytes)?.code == .unsupportedVersion)
  }

  @Test func wrongKind() throws {
    let blob = try Self.sample()
    let error = open(blob.bytes, kind: .pvpOutput)
    #expect(error?.code == .wrongKind)
    #expect(error?.detail.contains("PVPI") == true)
    let reader = try ShardReader(blob: blob, expectedKind: nil, name: Self.name)
    #expect(reader.kind == .pvpInput)
    let typed = shardError { () throws(ShardError) in _ = try reader.next(PVPImageAnswers.self) }
    #expect(typed?.code == .wrongKind)
  }

  @Test func kindBytesMustBePrintable() throws {
    var bytes = try Self.sample().bytes
    bytes[9] = 0x00
    reseal(&bytes)
    #expect(open(bytes, kind: nil)?.code == .corruptHeader)
  }

  @Test func metadataMustBeUTF8() throws {
    var bytes = try Self.sample().bytes
    bytes[44] = 0xFF
    reseal(&bytes)
    #expect(open(bytes)?.code == .corruptHeader)
  }

  @Test(arguments: [-40 as Int, -1, 1, 2, 1000])
  func countMismatch(delta: Int) throws {
    var bytes = try Self.sample(records: 40).bytes
    patch(&bytes, at: ShardFormat.recordCountOffset, UInt64(40 + delta))
    #expect(open(bytes)?.code == .corruptHeader)
    reseal(&bytes)
    let error = open(bytes)
    #expect(error?.code == .countMismatch)
    #expect(error?.detail.contains("\(40 + delta)") == true)
  }

  @Test func countBeyondContentLength() throws {
    var bytes = try Self.sample().bytes
    patch(&bytes, at: ShardFormat.recordCountOffset, UInt64.max)
    reseal(&bytes)
    #expect(
      shardError { () throws(ShardError) in
        _ = try ShardReader(bytes: bytes, expectedDigest: nil, expectedKind: nil, name: Self.name)
      }?.code == .countMismatch)
  }

  @Test(arguments: [UInt64(0), 1, 0x7FFF_FFFF, UInt64.max])
  func contentLengthMismatch(contentLength: UInt64) throws {
    var bytes = try Self.sample().bytes
    patch(&bytes, at: ShardFormat.contentLengthOffset, contentLength)
    reseal(&bytes)
    let code = open(bytes)?.code
    #expect(code == .corruptPayload || code == .countMismatch)
  }

  // MARK: flipped bytes

  /// Every single-byte change is caught, with a digest and without one, and never traps.
  @Test func everyFlippedByteIsCaught() throws {
    let blob = try Self.sample(records: 8)
    let headerSize = 48 + 20
    for offset in 0..<blob.size {
      for mask: UInt8 in [0x01, 0x80, 0xFF] {
        var bytes = blob.bytes
        bytes[offset] ^= mask
        #expect(open(bytes, digest: blob.digest)?.code == .digestMismatch)
        let code = open(bytes)?.code
        let expected: Set<ShardError.Code> =
          switch offset {
          case 0..<4: [.badMagic]
          case 4..<6: [.unsupportedVersion]
          // A changed metadata length moves the header CRC, or past the end.
          case 40..<44: [.corruptHeader, .truncated]
          case 6..<headerSize: [.corruptHeader]
          default: [.corruptPayload]
          }
        #expect(
          code.map { expected.contains($0) } == true, "byte \(offset) ^ \(mask): \(String(describing: code))")
      }
    }
  }

  /// Behind the payload CRC-32, zstd's frame checks and content checksum still guard the records:
  /// with the CRC recomputed so that a changed compressed byte reaches zstd, reading either fails
  /// with `.corruptPayload` or yields exactly the original records (some bits of a frame, such as
  /// a larger window size or unused table bits, do not change what it decodes to).
  @Test func zstdNeverYieldsChangedRecords() throws {
    let blob = try Self.sample(records: 200)
    let original = try readEverything(blob.bytes)
    let headerSize = 48 + 20
    var caught = 0
    for offset in headerSize..<blob.size {
      var bytes = blob.bytes
      bytes[offset] ^= 0x10
      reseal(&bytes, payload: true)
      do {
        let records = try readEverything(bytes)
        #expect(records == original, "byte \(offset) changed the records undetected")
      } catch {
        #expect(error.code == .corruptPayload, "byte \(offset): \(error)")
        caught += 1
      }
    }
    // Nearly every change is caught; the rest were no-ops for the content.
    #expect(caught >= (blob.size - headerSize) * 9 / 10)
  }

  // MARK: hostile record framing

  @Test(arguments: [
    ("ffffffffffffffff7f 00", "exceeds"),  // 2^63-1 byte record
    ("8080808001 00", "runs past"),  // 2^28 bytes: under the limit, past the content
    ("e807 0102", "runs past"),  // 1000 bytes, 2 present
    ("ffffffffffffffffffff01", "malformed"),  // 11-byte varint
    ("8000", "malformed"),  // non-canonical 0
    ("80", "length prefix"),  // cut inside the prefix
  ])
  func hostileRecordLength(stream: String, message: String) throws {
    let bytes = try shard(stream: ShardReaderTests.hex(stream), count: 1)
    let reader = try ShardReader(bytes: bytes, expectedDigest: nil, expectedKind: .pvpInput, name: Self.name)
    let error = shardError { () throws(ShardError) in _ = try reader.nextRawRecord() }
    #expect(error?.code == .corruptPayload)
    #expect(error?.detail.contains(message) == true, "\(String(describing: error))")
    // Rejected before any buffering beyond the initial window.
    #expect(reader.peakWindowCapacity == ShardReader.initialWindowSize)
  }

  private static func hex(_ text: String) -> [UInt8] { bytes(hex: text) }

  @Test func recordLongerThanTheReadersLimit() throws {
    var writer = try ShardWriter(kind: .pvpInput)
    try writer.appendRaw(pattern(5000))
    let blob = try writer.finish()
    let reader = try ShardReader(blob: blob, expectedKind: .pvpInput, name: Self.name, maxRecordSize: 4999)
    #expect(shardError { () throws(ShardError) in _ = try reader.nextRawRecord() }?.code == .corruptPayload)
    let relaxed = try ShardReader(blob: blob, expectedKind: .pvpInput, name: Self.name, maxRecordSize: 5000)
    #expect(try relaxed.nextRawRecord() == pattern(5000))
  }

  @Test func hostileLengthInsideARecord() throws {
    // A PVPI record whose image string claims 2^62 bytes.
    let body = bytes(hex: "8080808080808080 40 61")
    var writer = try ShardWriter(kind: .pvpInput)
    try writer.appendRaw(body)
    let reader = try ShardReader(blob: try writer.finish(), expectedKind: .pvpInput, name: Self.name)
    let error = shardError { () throws(ShardError) in _ = try reader.next(PVPImageQuestions.self) }
    #expect(error?.code == .badRecord)
    #expect(error?.shard == Self.name)
    #expect(error?.detail.hasPrefix("record 0:") == true)
  }

  @Test func leftoverBytesInARecord() throws {
    var body = ByteWriter()
    sampleQuestions(2).encode(into: &body)
    var writer = try ShardWriter(kind: .pvpInput)
    try writer.append(sampleQuestions(1))
    try writer.appendRaw(body.bytes + [0])
    let reader = try ShardReader(blob: try writer.finish(), expectedKind: .pvpInput, name: Self.name)
    #expect(try reader.next(PVPImageQuestions.self) == sampleQuestions(1))
    let error = shardError { () throws(ShardError) in _ = try reader.next(PVPImageQuestions.self) }
    #expect(error?.code == .badRecord)
    #expect(error?.detail.contains("record 1: 1 of its") == true)
  }

  @Test func failuresAreSticky() throws {
    var bytes = try Self.sample(records: 40).bytes
    patch(&bytes, at: ShardFormat.recordCountOffset, UInt64(41))
    reseal(&bytes)
    let reader = try ShardReader(bytes: bytes, expectedDigest: nil, expectedKind: .pvpInput, name: Self.name)
    for _ in 0..<40 { _ = try reader.nextRawRecord() }
    let first = shardError { () throws(ShardError) in _ = try reader.nextRawRecord() }
    let second = shardError { () throws(ShardError) in _ = try reader.nextRawRecord() }
    #expect(first?.code == .countMismatch)
    #expect(second?.description == first?.description)
  }

  // MARK: bounded memory

  /// ~51 MB of records go through the initial 256 KiB window; zstd's context stays small too.
  @Test func fiftyMegabytesInABoundedWindow() throws {
    var writer = try ShardWriter(kind: .pvpInput)
    var body = [UInt8](repeating: 0, count: 4000)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for i in 0..<body.count {  // xorshift noise, so zstd has real work to do
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      body[i] = UInt8(truncatingIfNeeded: state) & 0x3F
    }
    let records = 12_800
    for i in 0..<records {
      patch(&body, at: 0, UInt64(i))
      try writer.appendRaw(body)
    }
    let blob = try writer.finish()
    let reader = try ShardReader(blob: blob, expectedKind: .pvpInput, name: "50 MB")
    var seen = 0
    var total = 0
    while let record = try reader.nextRawRecord() {
      let index = record.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
      #expect(index == UInt64(seen))
      seen += 1
      total += record.count
    }
    #expect(seen == records)
    #expect(total == records * 4000)
    #expect(reader.peakWindowCapacity == ShardReader.initialWindowSize)
    #expect(reader.decompressorMemory < 4 << 20)
  }

  /// The window grows to fit one large record (doubling), not to the size of the shard.
  @Test func windowGrowsOnlyForALargeRecord() throws {
    var writer = try ShardWriter(kind: .pvpInput)
    let large = pattern(3_000_000)
    try writer.appendRaw([1])
    try writer.appendRaw(large)
    for _ in 0..<1000 { try writer.appendRaw(pattern(10_000)) }
    let reader = try ShardReader(blob: try writer.finish(), expectedKind: .pvpInput, name: "large")
    #expect(try reader.nextRawRecord() == [1])
    #expect(try reader.nextRawRecord() == large)
    var rest = 0
    while let record = try reader.nextRawRecord() {
      #expect(record.count == 10_000)
      rest += 1
    }
    #expect(rest == 1000)
    // 256 KiB doubled until 3,000,004 bytes fit.
    #expect(reader.peakWindowCapacity == 4 << 20)
  }
}
