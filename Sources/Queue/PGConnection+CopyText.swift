extension PGConnection {
  /// Appends one value in COPY's text format: NULL is `\N`; backslash, tab, newline and carriage
  /// return are escaped (they would otherwise end the value or the row); `bytes` become a hex
  /// `bytea` literal whose own backslash is escaped (`\\x0a1b`).
  static func appendCopyText(_ value: PGValue, to buffer: inout [UInt8]) {
    let backslash = UInt8(ascii: "\\")
    switch value {
    case .null:
      buffer.append(backslash)
      buffer.append(UInt8(ascii: "N"))
    case .bytes(let bytes):
      let digits = Array("0123456789abcdef".utf8)
      buffer.append(backslash)
      buffer.append(backslash)
      buffer.append(UInt8(ascii: "x"))
      for byte in bytes {
        buffer.append(digits[Int(byte >> 4)])
        buffer.append(digits[Int(byte & 0x0f)])
      }
    default:
      guard let wire = value.wire else { return }
      for byte in wire.bytes {
        switch byte {
        case backslash: buffer.append(contentsOf: [backslash, backslash])
        case UInt8(ascii: "\t"): buffer.append(contentsOf: [backslash, UInt8(ascii: "t")])
        case UInt8(ascii: "\n"): buffer.append(contentsOf: [backslash, UInt8(ascii: "n")])
        case UInt8(ascii: "\r"): buffer.append(contentsOf: [backslash, UInt8(ascii: "r")])
        default: buffer.append(byte)
        }
      }
    }
  }
}
