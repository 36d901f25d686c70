/// CRC-32 as zlib computes it (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF),
/// slice-by-8. It guards the header and the compressed payload against accidents when no expected
/// digest is at hand; the SHA-256 digest is what identifies a shard.
struct CRC32 {
  private(set) var value: UInt32 = 0

  init() {}

  static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var crc = CRC32()
    crc.update(bytes)
    return crc.value
  }

  static func checksum(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBytes { checksum($0) }
  }

  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress else { return }
    var crc = ~value
    var offset = 0
    let count = bytes.count
    Self.tables.withUnsafeBufferPointer { t in
      while count - offset >= 8 {
        let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        let lo = UInt32(truncatingIfNeeded: word) ^ crc
        let hi = UInt32(truncatingIfNeeded: word &>> 32)
        crc =
          t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo &>> 8) & 0xFF)]
          ^ t[5 * 256 + Int((lo &>> 16) & 0xFF)] ^ t[4 * 256 + Int(lo &>> 24)]
          ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi &>> 8) & 0xFF)]
          ^ t[1 * 256 + Int((hi &>> 16) & 0xFF)] ^ t[Int(hi &>> 24)]
        offset += 8
      }
      while offset < count {
        crc = t[Int((crc ^ UInt32(base.load(fromByteOffset: offset, as: UInt8.self))) & 0xFF)] ^ (crc &>> 8)
        offset += 1
      }
    }
    value = ~crc
  }

  /// tables[k * 256 + b]: the CRC of byte b followed by k zero bytes.
  private static let tables: [UInt32] = {
    var t = [UInt32](repeating: 0, count: 8 * 256)
    for b in 0..<256 {
      var c = UInt32(b)
      for _ in 0..<8 { c = (c & 1) != 0 ? (c &>> 1) ^ 0xEDB8_8320 : c &>> 1 }
      t[b] = c
    }
    for k in 1..<8 {
      for b in 0..<256 {
        let prev = t[(k - 1) * 256 + b]
        t[k * 256 + b] = t[Int(prev & 0xFF)] ^ (prev &>> 8)
      }
    }
    return t
  }()
}
