@testable import Shards

/// The byte pattern the fixed hash vectors were computed over: byte i is (7 i + 3) mod 256.
func pattern(_ count: Int) -> [UInt8] {
  (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
}

func bytes(hex: String) -> [UInt8] {
  let digits = Array(hex.utf8.filter { !$0.isWhitespace })
  precondition(digits.count % 2 == 0)
  return stride(from: 0, to: digits.count, by: 2).map {
    UInt8(String(decoding: digits[$0..<($0 + 2)], as: UTF8.self), radix: 16)!
  }
}

extension UInt8 {
  fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}

/// Runs `body` and returns the ShardError it throws (nil if none).
func shardError(_ body: () throws(ShardError) -> Void) -> ShardError? {
  do {
    try body()
    return nil
  } catch {
    return error
  }
}

/// Opens a blob and reads every record raw, as a consumer would: all checks run.
func readEverything(
  _ blob: [UInt8], digest: String? = nil, kind: RecordKind? = nil, name: String = "test shard"
)
  throws(ShardError) -> [[UInt8]]
{
  let reader = try ShardReader(bytes: blob, expectedDigest: digest, expectedKind: kind, name: name)
  var records = [[UInt8]]()
  while let record = try reader.nextRawRecord() { records.append(record) }
  return records
}

/// Writes little-endian `value` at `offset`.
func patch<T: FixedWidthInteger>(_ blob: inout [UInt8], at offset: Int, _ value: T) {
  withUnsafeBytes(of: value.littleEndian) { blob.replaceSubrange(offset..<(offset + $0.count), with: $0) }
}

/// Recomputes the header CRC-32 (and the payload CRC-32 if asked) after a test edited the blob,
/// so the edit reaches the checks behind them.
func reseal(_ blob: inout [UInt8], payload: Bool = false) {
  let metadataLength = blob.withUnsafeBytes {
    Int(
      UInt32(
        littleEndian: $0.loadUnaligned(fromByteOffset: ShardFormat.metadataLengthOffset, as: UInt32.self)))
  }
  let headerSize = ShardFormat.headerSize(metadataLength: metadataLength)
  if payload {
    patch(&blob, at: ShardFormat.payloadCRCOffset, CRC32.checksum(Array(blob[headerSize...])))
  }
  let crcOffset = ShardFormat.headerCRCOffset(metadataLength: metadataLength)
  patch(&blob, at: crcOffset, CRC32.checksum(Array(blob[0..<crcOffset])))
}

/// A PVPI shard whose record stream is exactly `stream` and whose header claims `count` records.
func shard(stream: [UInt8], count: UInt64) throws -> [UInt8] {
  var writer = try ShardWriter(kind: .pvpInput)
  try writer.appendUnframed(stream)
  var blob = try writer.finish().bytes
  patch(&blob, at: ShardFormat.recordCountOffset, count)
  reseal(&blob)
  return blob
}

func sampleQuestions(_ n: Int, image: String = "train2014/COCO_train2014_000000000009.jpg")
  -> PVPImageQuestions
{
  var questions = [PVPLocation]()
  for i in 0..<n {
    questions.append(PVPLocation(index: UInt64(100 + 3 * i), row: UInt16(i % 64), col: UInt16((i * 5) % 64)))
  }
  return PVPImageQuestions(image: image, imageID: 9, questions: questions)
}
