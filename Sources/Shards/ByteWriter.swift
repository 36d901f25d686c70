/// Appends the primitive encodings that record codecs are made of (docs/shard-format.md,
/// "Primitive encodings"): LEB128 varints, zigzag varints, fixed-width little-endian integers and
/// floats, and length-prefixed UTF-8 strings and byte strings.
public struct ByteWriter: Sendable {
  public private(set) var bytes: [UInt8]

  public init(capacity: Int = 0) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  public var count: Int { bytes.count }

  public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

  /// Unsigned LEB128: 7 bits per byte, least significant group first, high bit = more follow.
  public mutating func writeVarint(_ value: UInt64) {
    var v = value
    while v >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v &>>= 7
    }
    bytes.append(UInt8(v))
  }

  public mutating func writeVarint(_ value: Int) {
    precondition(value >= 0, "writeVarint takes non-negative values; use writeZigZag")
    writeVarint(UInt64(value))
  }

  /// Signed values as zigzag (0, -1, 1, -2, ... -> 0, 1, 2, 3, ...) then LEB128.
  public mutating func writeZigZag(_ value: Int64) {
    writeVarint(UInt64(bitPattern: (value &<< 1) ^ (value &>> 63)))
  }

  public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

  /// A fixed-width integer, little-endian.
  public mutating func writeLittleEndian<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  /// IEEE 754 binary32, little-endian.
  public mutating func writeFloat(_ value: Float) { writeLittleEndian(value.bitPattern) }

  /// IEEE 754 binary64, little-endian.
  public mutating func writeDouble(_ value: Double) { writeLittleEndian(value.bitPattern) }

  /// Varint byte length, then the UTF-8 bytes.
  public mutating func writeString(_ value: String) {
    var value = value
    value.withUTF8 { utf8 in
      writeVarint(UInt64(utf8.count))
      bytes.append(contentsOf: utf8)
    }
  }

  /// Varint length, then the bytes.
  public mutating func writeBytes(_ value: some Collection<UInt8>) {
    writeVarint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  /// The bytes as they are, with no length prefix.
  public mutating func writeRaw(_ value: some Collection<UInt8>) {
    bytes.append(contentsOf: value)
  }
}
