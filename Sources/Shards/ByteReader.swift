/// Reads what `ByteWriter` writes, from a byte range, with every read bounds-checked.
///
/// Malformed input throws `ShardError(.badRecord)`; nothing traps, and a length or count prefix
/// larger than the bytes left is rejected before anything is allocated. The `shard` of the errors
/// is empty here: `ShardReader` fills it in, with the record number.
public struct ByteReader: Sendable {
  private let storage: [UInt8]
  public private(set) var position: Int
  public let endIndex: Int

  public init(_ bytes: [UInt8]) {
    self.init(bytes, range: 0..<bytes.count)
  }

  /// A reader over `range` of `bytes`, sharing their storage (no copy).
  init(_ bytes: [UInt8], range: Range<Int>) {
    precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count)
    storage = bytes
    position = range.lowerBound
    endIndex = range.upperBound
  }

  /// Bytes not yet read.
  public var remaining: Int { endIndex - position }
  public var isAtEnd: Bool { position == endIndex }

  static func error(_ detail: String) -> ShardError { ShardError(.badRecord, shard: "", detail) }

  public mutating func readVarint() throws(ShardError) -> UInt64 {
    guard position < endIndex else { throw Self.error("varint at byte \(position) is past the end") }
    // Fast path: most varints in records are one byte.
    if storage[position] < 0x80 {
      defer { position += 1 }
      return UInt64(storage[position])
    }
    let start = position
    let decoded = storage.withUnsafeBufferPointer {
      Varint.decode($0.baseAddress! + start, count: endIndex - start)
    }
    switch decoded {
    case .value(let value, let length):
      position += length
      return value
    case .incomplete: throw Self.error("varint at byte \(start) runs past the end")
    case .overflow: throw Self.error("varint at byte \(start) exceeds 64 bits")
    case .nonCanonical: throw Self.error("varint at byte \(start) is not in its shortest form")
    }
  }

  /// A varint that must fit `T` (e.g. a UInt16 row).
  public mutating func readVarint<T: FixedWidthInteger & UnsignedInteger>(as type: T.Type) throws(ShardError)
    -> T
  {
    let start = position
    let value = try readVarint()
    guard let narrow = T(exactly: value) else {
      throw Self.error("varint \(value) at byte \(start) exceeds \(T.self)")
    }
    return narrow
  }

  public mutating func readZigZag() throws(ShardError) -> Int64 {
    let raw = try readVarint()
    return Int64(bitPattern: raw &>> 1) ^ -Int64(bitPattern: raw & 1)
  }

  public mutating func readUInt8() throws(ShardError) -> UInt8 {
    guard position < endIndex else { throw Self.error("byte at \(position) is past the end") }
    defer { position += 1 }
    return storage[position]
  }

  /// A fixed-width little-endian integer.
  public mutating func readLittleEndian<T: FixedWidthInteger>(_ type: T.Type) throws(ShardError) -> T {
    let size = MemoryLayout<T>.size
    guard remaining >= size else { throw Self.error("\(size)-byte integer at \(position) runs past the end") }
    let start = position
    position += size
    return storage.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: start, as: T.self)) }
  }

  public mutating func readFloat() throws(ShardError) -> Float {
    Float(bitPattern: try readLittleEndian(UInt32.self))
  }

  public mutating func readDouble() throws(ShardError) -> Double {
    Double(bitPattern: try readLittleEndian(UInt64.self))
  }

  /// A varint length that must not exceed the bytes left, as an Int.
  private mutating func readLength(of what: String) throws(ShardError) -> Int {
    let start = position
    let length = try readVarint()
    guard length <= UInt64(remaining) else {
      throw Self.error("\(what) length \(length) at byte \(start) exceeds the \(remaining) bytes left")
    }
    return Int(length)
  }

  /// A varint element count, checked against the bytes left: each element takes at least
  /// `minimumElementSize` bytes, so a hostile count fails here instead of in `reserveCapacity`.
  public mutating func readCount(minimumElementSize: Int) throws(ShardError) -> Int {
    precondition(minimumElementSize >= 1)
    let start = position
    let count = try readVarint()
    guard count <= UInt64(remaining / minimumElementSize) else {
      throw Self.error(
        "count \(count) at byte \(start) needs at least \(minimumElementSize) bytes each, only \(remaining) left"
      )
    }
    return Int(count)
  }

  /// A length-prefixed UTF-8 string; invalid UTF-8 is an error, not replaced.
  public mutating func readString() throws(ShardError) -> String {
    let start = position
    let length = try readLength(of: "string")
    guard let string = String(validating: storage[position..<(position + length)], as: UTF8.self) else {
      throw Self.error("string at byte \(start) is not valid UTF-8")
    }
    position += length
    return string
  }

  /// A length-prefixed byte string.
  public mutating func readBytes() throws(ShardError) -> [UInt8] {
    let length = try readLength(of: "byte string")
    return try readRaw(count: length)
  }

  /// `count` bytes as they are.
  public mutating func readRaw(count: Int) throws(ShardError) -> [UInt8] {
    guard count >= 0, count <= remaining else {
      throw Self.error("\(count) bytes at \(position) run past the end (\(remaining) left)")
    }
    defer { position += count }
    return Array(storage[position..<(position + count)])
  }
}
