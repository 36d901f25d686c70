/// Byte layout of the shard container, version 1 (docs/shard-format.md is the specification).
///
/// All integers are little-endian. A blob is exactly `headerSize(metadataLength:) + payloadLength`
/// bytes: the fixed header, the metadata, the header's CRC-32, then one zstd frame.
enum ShardFormat {
  /// "\x89PPS": the high first byte catches 7-bit transfers and text-mode mangling, as in PNG.
  static let magic: [UInt8] = [0x89, 0x50, 0x50, 0x53]
  static let version: UInt16 = 1

  static let versionOffset = 4
  static let flagsOffset = 6
  static let kindOffset = 8
  static let recordCountOffset = 12
  static let contentLengthOffset = 20
  static let payloadLengthOffset = 28
  static let payloadCRCOffset = 36
  static let metadataLengthOffset = 40
  /// Bytes before the metadata.
  static let fixedSize = 44

  /// Offset of the header CRC-32, which covers every byte before it.
  static func headerCRCOffset(metadataLength: Int) -> Int { fixedSize + metadataLength }
  /// Offset of the zstd payload.
  static func headerSize(metadataLength: Int) -> Int { fixedSize + metadataLength + 4 }

  /// zstd's frame magic number, as stored (little-endian 0xFD2FB528).
  static let zstdFrameMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
}
