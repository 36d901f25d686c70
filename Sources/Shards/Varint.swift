/// Unsigned LEB128 decoding shared by `ByteReader` and the record framing of `ShardReader`.
///
/// Encodings are canonical: at most 10 bytes, the 10th at most 1, and no trailing zero groups
/// (so one value has exactly one encoding, and equal records give equal bytes and digests).
enum Varint {
  enum Decoded {
    case value(UInt64, length: Int)
    /// The input ends inside the varint.
    case incomplete
    /// More than 64 bits.
    case overflow
    /// A longer encoding than the value needs (a final 0x00 group).
    case nonCanonical
  }

  static func decode(_ base: UnsafePointer<UInt8>, count: Int) -> Decoded {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    var index = 0
    while index < count {
      let byte = base[index]
      index += 1
      if shift == 63 && byte > 1 { return .overflow }
      result |= UInt64(byte & 0x7F) &<< shift
      if byte & 0x80 == 0 {
        if byte == 0 && index > 1 { return .nonCanonical }
        return .value(result, length: index)
      }
      shift += 7
    }
    return .incomplete
  }

  /// Bytes the encoding of `value` takes.
  static func encodedLength(_ value: UInt64) -> Int {
    value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
  }
}
