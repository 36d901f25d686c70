/// The header of a version-1 shard (layout in `ShardFormat`, specification in docs/shard-format.md).
struct ShardHeader: Equatable {
  var kind: RecordKind
  var recordCount: UInt64
  /// Bytes of the decompressed record stream.
  var contentLength: UInt64
  /// Bytes of the zstd frame that follows the header.
  var payloadLength: UInt64
  /// CRC-32 of the payload bytes.
  var payloadCRC: UInt32
  /// UTF-8, JSON by convention; empty when the shard has none.
  var metadata: [UInt8]

  /// Header bytes, i.e. the payload's offset.
  var size: Int { ShardFormat.headerSize(metadataLength: metadata.count) }

  func encoded() -> [UInt8] {
    var writer = ByteWriter(capacity: size)
    writer.writeRaw(ShardFormat.magic)
    writer.writeLittleEndian(ShardFormat.version)
    writer.writeLittleEndian(UInt16(0))  // flags
    writer.writeRaw(kind.bytes)
    writer.writeLittleEndian(recordCount)
    writer.writeLittleEndian(contentLength)
    writer.writeLittleEndian(payloadLength)
    writer.writeLittleEndian(payloadCRC)
    writer.writeLittleEndian(UInt32(metadata.count))
    writer.writeRaw(metadata)
    writer.writeLittleEndian(CRC32.checksum(writer.bytes))
    return writer.bytes
  }

  /// Parses and checks the header of a whole blob, including that the blob ends exactly where the
  /// payload does. Checks run in the documented order, so each defect gets its own error code.
  static func parse(_ blob: [UInt8], name: String) throws(ShardError) -> ShardHeader {
    func fail(_ code: ShardError.Code, _ detail: String) -> ShardError {
      ShardError(code, shard: name, detail)
    }
    let magic = ShardFormat.magic
    let prefix = min(blob.count, magic.count)
    guard blob[0..<prefix].elementsEqual(magic[0..<prefix]) else {
      throw fail(.badMagic, "starts with \(hex(blob.prefix(4))), not \(hex(magic))")
    }
    guard blob.count >= ShardFormat.flagsOffset else {
      throw fail(.truncated, "\(blob.count) bytes, shorter than the magic and version")
    }
    let version = load(UInt16.self, blob, ShardFormat.versionOffset)
    guard version == ShardFormat.version else {
      throw fail(.unsupportedVersion, "format version \(version); this reader knows \(ShardFormat.version)")
    }
    guard blob.count >= ShardFormat.fixedSize else {
      throw fail(
        .truncated, "\(blob.count) bytes, shorter than the \(ShardFormat.fixedSize)-byte fixed header")
    }
    let metadataLength = Int(load(UInt32.self, blob, ShardFormat.metadataLengthOffset))
    let headerSize = ShardFormat.headerSize(metadataLength: metadataLength)
    guard blob.count >= headerSize else {
      throw fail(.truncated, "\(blob.count) bytes, shorter than the \(headerSize)-byte header")
    }
    let crcOffset = ShardFormat.headerCRCOffset(metadataLength: metadataLength)
    let storedCRC = load(UInt32.self, blob, crcOffset)
    let actualCRC = blob.withUnsafeBytes {
      CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<crcOffset]))
    }
    guard storedCRC == actualCRC else {
      throw fail(.corruptHeader, "header CRC-32 is \(hex32(actualCRC)), header says \(hex32(storedCRC))")
    }
    let flags = load(UInt16.self, blob, ShardFormat.flagsOffset)
    guard flags == 0 else {
      throw fail(
        .unsupportedVersion,
        "header flags \(hex(withUnsafeBytes(of: flags.littleEndian) { Array($0) })) are unknown")
    }
    let kindBytes = blob[ShardFormat.kindOffset..<(ShardFormat.kindOffset + 4)]
    guard let kind = RecordKind(bytes: kindBytes) else {
      throw fail(.corruptHeader, "record kind bytes \(hex(kindBytes)) are not 4 printable ASCII characters")
    }
    let metadata = Array(blob[ShardFormat.fixedSize..<crcOffset])
    guard String(validating: metadata, as: UTF8.self) != nil else {
      throw fail(.corruptHeader, "metadata is not valid UTF-8")
    }
    let payloadLength = load(UInt64.self, blob, ShardFormat.payloadLengthOffset)
    let available = UInt64(blob.count - headerSize)
    guard available >= payloadLength else {
      throw fail(.truncated, "payload has \(available) of its \(payloadLength) bytes")
    }
    guard available == payloadLength else {
      throw fail(.trailingData, "\(available - payloadLength) bytes follow the \(payloadLength)-byte payload")
    }
    return ShardHeader(
      kind: kind,
      recordCount: load(UInt64.self, blob, ShardFormat.recordCountOffset),
      contentLength: load(UInt64.self, blob, ShardFormat.contentLengthOffset),
      payloadLength: payloadLength,
      payloadCRC: load(UInt32.self, blob, ShardFormat.payloadCRCOffset),
      metadata: metadata)
  }

  private static func load<T: FixedWidthInteger>(_ type: T.Type, _ blob: [UInt8], _ offset: Int) -> T {
    blob.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
  }
}

/// Space-separated hex bytes, for error messages.
func hex(_ bytes: some Sequence<UInt8>) -> String {
  bytes.map { SHA256.hexString([$0]) }.joined(separator: " ")
}

func hex32(_ value: UInt32) -> String {
  "0x" + SHA256.hexString(withUnsafeBytes(of: value.bigEndian) { Array($0) })
}
