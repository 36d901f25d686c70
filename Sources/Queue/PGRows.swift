internal import CLibPQ

/// The rows of one statement's result. Owns the libpq result and frees it in `deinit`.
/// Accessors return `nil` for SQL NULL (and for a value that does not parse as the asked type).
public final class PGRows {
  let result: OpaquePointer
  /// Number of rows.
  public let count: Int
  /// Number of columns.
  public let columnCount: Int

  init(_ result: OpaquePointer) {
    self.result = result
    self.count = Int(PQntuples(result))
    self.columnCount = Int(PQnfields(result))
  }

  deinit { PQclear(result) }

  /// Rows the statement touched (`UPDATE`, `INSERT`, `DELETE`, `COPY`, ...); 0 when not reported.
  public var rowsAffected: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

  /// The command tag, e.g. `UPDATE 3` or `ROLLBACK`.
  public var commandStatus: String { String(cString: PQcmdStatus(result)) }

  /// The index of the column called `name`.
  public func column(named name: String) -> Int? {
    for index in 0..<columnCount where String(cString: PQfname(result, Int32(index))) == name {
      return index
    }
    return nil
  }

  public func isNull(_ row: Int, _ column: Int) -> Bool {
    PQgetisnull(result, Int32(row), Int32(column)) == 1
  }

  public func string(_ row: Int, _ column: Int) -> String? {
    guard let raw = raw(row, column) else { return nil }
    return String(decoding: raw, as: UTF8.self)
  }

  public func int64(_ row: Int, _ column: Int) -> Int64? {
    guard let raw = raw(row, column) else { return nil }
    if isBinary(column) {
      guard [2, 4, 8].contains(raw.count) else { return nil }
      var value: UInt64 = 0
      for byte in raw { value = value << 8 | UInt64(byte) }
      switch raw.count {  // sign-extend big-endian int2/int4/int8
      case 2: return Int64(Int16(truncatingIfNeeded: value))
      case 4: return Int64(Int32(truncatingIfNeeded: value))
      default: return Int64(bitPattern: value)
      }
    }
    return Int64(String(decoding: raw, as: UTF8.self))
  }

  public func int(_ row: Int, _ column: Int) -> Int? { int64(row, column).map { Int($0) } }

  public func double(_ row: Int, _ column: Int) -> Double? {
    guard let raw = raw(row, column) else { return nil }
    if isBinary(column) {
      var bits: UInt64 = 0
      for byte in raw { bits = bits << 8 | UInt64(byte) }
      switch raw.count {
      case 8: return Double(bitPattern: bits)
      case 4: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
      default: return nil
      }
    }
    return Double(String(decoding: raw, as: UTF8.self))
  }

  public func bool(_ row: Int, _ column: Int) -> Bool? {
    guard let raw = raw(row, column), raw.count == 1 else { return nil }
    if isBinary(column) { return raw[0] != 0 }
    switch raw[0] {
    case UInt8(ascii: "t"): return true
    case UInt8(ascii: "f"): return false
    default: return nil
    }
  }

  /// A `bytea` value: the raw bytes for a binary-format result, hex-decoded (`\x...`) for text.
  public func bytes(_ row: Int, _ column: Int) -> [UInt8]? {
    guard let raw = raw(row, column) else { return nil }
    if isBinary(column) { return Array(raw) }
    return Self.decodeHexBytea(raw)
  }

  func isBinary(_ column: Int) -> Bool { PQfformat(result, Int32(column)) == 1 }

  func raw(_ row: Int, _ column: Int) -> UnsafeBufferPointer<UInt8>? {
    guard row >= 0, row < count, column >= 0, column < columnCount, !isNull(row, column),
      let pointer = PQgetvalue(result, Int32(row), Int32(column))
    else { return nil }
    let length = Int(PQgetlength(result, Int32(row), Int32(column)))
    // CChar and UInt8 share a layout; the buffer lives as long as `result`.
    return UnsafeBufferPointer(
      start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: length)
  }

  static func decodeHexBytea(_ raw: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
    guard raw.count >= 2, raw[0] == UInt8(ascii: "\\"), raw[1] == UInt8(ascii: "x"),
      raw.count % 2 == 0
    else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
      default: return nil
      }
    }
    var out = [UInt8]()
    out.reserveCapacity((raw.count - 2) / 2)
    var i = 2
    while i < raw.count {
      guard let high = nibble(raw[i]), let low = nibble(raw[i + 1]) else { return nil }
      out.append(high << 4 | low)
      i += 2
    }
    return out
  }
}
