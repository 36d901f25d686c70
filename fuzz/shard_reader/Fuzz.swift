// libFuzzer target: the shard reader (Sources/Shards), compiled together with the module's
// sources so that it can build blobs with internal helpers. The first input byte picks how the
// rest is used:
//   0  a whole blob, with both CRC-32s recomputed so that parsing gets past them (header,
//      metadata, zstd frame, record framing, record decoders);
//   1  a whole blob exactly as given;
//   2  records: length-prefixed bodies (one length byte each) of a kind picked by the next byte,
//      written with ShardWriter, so that the record decoders see arbitrary bodies;
//   3  an unframed record stream compressed as it is, with a record count from the input.
// Every error must be a ShardError; a crash, a trap or a sanitizer report is a finding.

let kinds: [RecordKind] = [
  .pvpInput, .pvpOutput, .reInput, .reOutput, .reOutputCompact, .vqaInput, .vqaOutput,
  RecordKind("ZZZZ"),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShardReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let input = Array(UnsafeBufferPointer(start: data, count: size))
  guard let mode = input.first else { return 0 }
  let body = Array(input.dropFirst())
  switch mode % 4 {
  case 0: read(fixingCRCs(body))
  case 1: read(body)
  case 2: read(framedRecords(body))
  default: read(unframedStream(body))
  }
  return 0
}

/// Reads every record with the decoder of the blob's kind.
func read(_ blob: [UInt8]?) {
  guard let blob else { return }
  do {
    let reader = try ShardReader(bytes: blob, expectedDigest: nil, expectedKind: nil, name: "fuzz")
    switch reader.kind {
    case .pvpInput: while try reader.next(PVPImageQuestions.self) != nil {}
    case .pvpOutput: while try reader.next(PVPImageAnswers.self) != nil {}
    case .reInput: while try reader.next(REImageInput.self) != nil {}
    case .reOutput: while try reader.next(REImageOutput.self) != nil {}
    case .reOutputCompact: while try reader.next(REImageOutputCompact.self) != nil {}
    case .vqaInput: while try reader.next(VQAImageInput.self) != nil {}
    case .vqaOutput: while try reader.next(VQAImageOutput.self) != nil {}
    default: while try reader.nextRawRecord() != nil {}
    }
  } catch {
    _ = error.description  // an error is fine; it must describe itself
  }
}

/// `blob` with its header CRC-32 and payload CRC-32 made right (when the header is long enough).
func fixingCRCs(_ blob: [UInt8]) -> [UInt8] {
  var bytes = blob
  guard bytes.count >= ShardFormat.fixedSize + 4 else { return bytes }
  let metadataLength = Int(
    UInt32(bytes[ShardFormat.metadataLengthOffset])
      | UInt32(bytes[ShardFormat.metadataLengthOffset + 1]) << 8)
  let crcOffset = ShardFormat.headerCRCOffset(metadataLength: metadataLength)
  guard crcOffset + 4 <= bytes.count else { return bytes }
  // Only the low 16 bits of the metadata length come from the input; the rest are zero.
  bytes[ShardFormat.metadataLengthOffset + 2] = 0
  bytes[ShardFormat.metadataLengthOffset + 3] = 0
  let payloadCRC = bytes.withUnsafeBytes {
    CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[(crcOffset + 4)...]))
  }
  store(payloadCRC, into: &bytes, at: ShardFormat.payloadCRCOffset)
  let headerCRC = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[..<crcOffset])) }
  store(headerCRC, into: &bytes, at: crcOffset)
  return bytes
}

func store(_ value: UInt32, into bytes: inout [UInt8], at offset: Int) {
  for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
}

func framedRecords(_ body: [UInt8]) -> [UInt8]? {
  guard let first = body.first else { return nil }
  do {
    var writer = try ShardWriter(kind: kinds[Int(first) % kinds.count], metadata: "{}")
    var rest = body.dropFirst()
    while let length = rest.first {
      rest = rest.dropFirst()
      let record = Array(rest.prefix(Int(length)))
      rest = rest.dropFirst(record.count)
      try writer.appendRaw(record)
    }
    return try writer.finish().bytes
  } catch {
    return nil
  }
}

func unframedStream(_ body: [UInt8]) -> [UInt8]? {
  guard body.count >= 2 else { return nil }
  do {
    var writer = try ShardWriter(kind: kinds[Int(body[0]) % kinds.count], metadata: nil)
    try writer.appendUnframed(Array(body.dropFirst(2)))
    var blob = try writer.finish().bytes
    // Claim a record count of 0...255 and make the header CRC right again.
    blob[ShardFormat.recordCountOffset] = body[1]
    return fixingCRCs(blob)
  } catch {
    return nil
  }
}
