/// Reading opcode arguments: fixed-size integers, length-prefixed data and the newline-terminated
/// text arguments of protocol 0.
extension PickleMachine {
  mutating func readByte() throws(PickleError) -> UInt8 {
    guard position < input.count else { throw error(.truncated, "missing 1-byte argument") }
    position += 1
    return input[position - 1]
  }

  /// A little-endian unsigned integer of `count` (1...8) bytes.
  mutating func readUnsigned(_ count: Int) throws(PickleError) -> UInt64 {
    guard input.count - position >= count else {
      throw error(.truncated, "needs a \(count)-byte argument, only \(input.count - position) bytes left")
    }
    var value: UInt64 = 0
    for index in 0..<count { value |= UInt64(input[position + index]) << (8 * index) }
    position += count
    return value
  }

  /// `length` bytes, refused before anything is allocated when the input does not hold them.
  mutating func readBytes(_ length: UInt64) throws(PickleError) -> ArraySlice<UInt8> {
    guard length <= UInt64(input.count - position) else {
      throw error(.truncated, "length \(length) exceeds the \(input.count - position) bytes left")
    }
    let start = position
    position += Int(length)
    return input[start..<position]
  }

  /// The argument of a text opcode, up to (not including) its newline.
  mutating func readLine() throws(PickleError) -> ArraySlice<UInt8> {
    guard let end = input[position...].firstIndex(of: UInt8(ascii: "\n")) else {
      throw error(.truncated, "text argument without a terminating newline")
    }
    let line = input[position..<end]
    position = end + 1
    return line
  }

  /// A little-endian two's-complement integer of `count` bytes (`LONG1`, `LONG4`).
  mutating func readLong(count: Int) throws(PickleError) -> Int64 {
    let bytes = try readBytes(UInt64(count))
    guard let last = bytes.last else { return 0 }
    let negative = last & 0x80 != 0
    // Bytes beyond the eighth may only repeat the sign.
    let low = bytes.prefix(8)
    for byte in bytes.dropFirst(8) where byte != (negative ? 0xFF : 0) {
      throw error(.tooLarge, "integer of \(count) bytes does not fit in 64 bits")
    }
    var pattern: UInt64 = negative ? ~0 : 0
    for (index, byte) in low.enumerated() {
      pattern &= ~(UInt64(0xFF) << (8 * index))
      pattern |= UInt64(byte) << (8 * index)
    }
    let value = Int64(bitPattern: pattern)
    guard count <= 8 || (value < 0) == negative else {
      throw error(.tooLarge, "integer of \(count) bytes does not fit in 64 bits")
    }
    return value
  }

  func utf8(_ bytes: ArraySlice<UInt8>) throws(PickleError) -> String {
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw error(.malformed, "text is not valid UTF-8")
    }
    return text
  }

  /// A Python 2 `str`: UTF-8 when valid, else Latin-1 (one character per byte).
  func legacyString(_ bytes: some Collection<UInt8>) -> String {
    if let text = String(validating: bytes, as: UTF8.self) { return text }
    var scalars = String.UnicodeScalarView()
    scalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
    return String(scalars)
  }

  // MARK: Protocol 0 text arguments

  /// `INT`: decimal digits, or `00`/`01` for False/True as Python 2 writes booleans.
  func parseTextInt(_ line: ArraySlice<UInt8>) throws(PickleError) -> PickleValue {
    if line.elementsEqual("00".utf8) { return .bool(false) }
    if line.elementsEqual("01".utf8) { return .bool(true) }
    return .int(try parseDecimal(line))
  }

  /// `LONG`: decimal digits with an optional trailing `L`.
  func parseTextLong(_ line: ArraySlice<UInt8>) throws(PickleError) -> Int64 {
    try parseDecimal(line.last == UInt8(ascii: "L") ? line.dropLast() : line)
  }

  func parseDecimal(_ text: ArraySlice<UInt8>) throws(PickleError) -> Int64 {
    var digits = text
    let negative = digits.first == UInt8(ascii: "-")
    if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
    guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    else { throw error(.malformed, "not a decimal integer: \(printable(text))") }
    var magnitude: UInt64 = 0
    for digit in digits {
      let (times, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
      guard !overflow1, !overflow2 else {
        throw error(.tooLarge, "integer \(printable(text)) does not fit in 64 bits")
      }
      magnitude = sum
    }
    if negative {
      guard magnitude <= UInt64(Int64.max) + 1 else {
        throw error(.tooLarge, "integer \(printable(text)) does not fit in 64 bits")
      }
      return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
    }
    guard magnitude <= UInt64(Int64.max) else {
      throw error(.tooLarge, "integer \(printable(text)) does not fit in 64 bits")
    }
    return Int64(magnitude)
  }

  func parseTextFloat(_ line: ArraySlice<UInt8>) throws(PickleError) -> Double {
    guard line.allSatisfy({ $0 < 0x80 }), let value = Double(String(decoding: line, as: UTF8.self))
    else { throw error(.malformed, "not a float: \(printable(line))") }
    return value
  }

  /// A memo index of `GET`/`PUT`.
  func parseIndex(_ line: ArraySlice<UInt8>) throws(PickleError) -> Int {
    let value = try parseDecimal(line)
    guard value >= 0, value <= Int64(UInt32.max) else {
      throw error(.badMemo, "memo index \(value) out of range")
    }
    return Int(value)
  }

  /// `STRING`: a quoted Python 2 `repr` with backslash escapes (`codecs.escape_decode`).
  func parseQuotedString(_ line: ArraySlice<UInt8>) throws(PickleError) -> [UInt8] {
    guard line.count >= 2, let quote = line.first, quote == line.last,
      quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"")
    else { throw error(.malformed, "STRING argument is not quoted") }
    let body = Array(line.dropFirst().dropLast())
    var output: [UInt8] = []
    output.reserveCapacity(body.count)
    var index = 0
    while index < body.count {
      let byte = body[index]
      index += 1
      guard byte == UInt8(ascii: "\\") else {
        output.append(byte)
        continue
      }
      guard index < body.count else { throw error(.malformed, "STRING ends with a lone backslash") }
      let escape = body[index]
      index += 1
      switch escape {
      case UInt8(ascii: "\n"): break
      case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): output.append(escape)
      case UInt8(ascii: "a"): output.append(0x07)
      case UInt8(ascii: "b"): output.append(0x08)
      case UInt8(ascii: "f"): output.append(0x0C)
      case UInt8(ascii: "n"): output.append(0x0A)
      case UInt8(ascii: "r"): output.append(0x0D)
      case UInt8(ascii: "t"): output.append(0x09)
      case UInt8(ascii: "v"): output.append(0x0B)
      case UInt8(ascii: "0")...UInt8(ascii: "7"):
        var value = Int(escape - UInt8(ascii: "0"))
        var digits = 1
        while digits < 3, index < body.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(body[index]) {
          value = value * 8 + Int(body[index] - UInt8(ascii: "0"))
          index += 1
          digits += 1
        }
        output.append(UInt8(truncatingIfNeeded: value))
      case UInt8(ascii: "x"):
        guard index + 2 <= body.count, let high = hexValue(body[index]), let low = hexValue(body[index + 1])
        else { throw error(.malformed, "invalid \\x escape in STRING") }
        output.append(high << 4 | low)
        index += 2
      default:
        // Python keeps unknown escapes as they are.
        output.append(UInt8(ascii: "\\"))
        output.append(escape)
      }
    }
    return output
  }

  /// `UNICODE`: Latin-1 bytes with `\uXXXX` / `\UXXXXXXXX` escapes (`raw-unicode-escape`); an
  /// escape counts only after an odd number of backslashes.
  func decodeRawUnicodeEscape(_ line: ArraySlice<UInt8>) throws(PickleError) -> String {
    let bytes = Array(line)
    var scalars = String.UnicodeScalarView()
    var index = 0
    while index < bytes.count {
      guard bytes[index] == UInt8(ascii: "\\") else {
        scalars.append(Unicode.Scalar(bytes[index]))
        index += 1
        continue
      }
      var run = 0
      while index < bytes.count, bytes[index] == UInt8(ascii: "\\") {
        run += 1
        index += 1
      }
      let next = index < bytes.count ? bytes[index] : 0
      guard run % 2 == 1, next == UInt8(ascii: "u") || next == UInt8(ascii: "U") else {
        for _ in 0..<run { scalars.append("\\") }
        continue
      }
      for _ in 0..<(run - 1) { scalars.append("\\") }
      let width = next == UInt8(ascii: "u") ? 4 : 8
      guard index + 1 + width <= bytes.count else {
        throw error(.malformed, "truncated \\\(Character(Unicode.Scalar(next))) escape in UNICODE")
      }
      var value: UInt32 = 0
      for digit in bytes[(index + 1)..<(index + 1 + width)] {
        guard let nibble = hexValue(digit) else { throw error(.malformed, "invalid escape in UNICODE") }
        value = value << 4 | UInt32(nibble)
      }
      guard let scalar = Unicode.Scalar(value) else {
        throw error(.malformed, "escape \(value) in UNICODE is not a Unicode scalar")
      }
      scalars.append(scalar)
      index += 1 + width
    }
    return String(scalars)
  }

  func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }

  /// At most 40 bytes of an argument, for messages.
  func printable(_ bytes: ArraySlice<UInt8>) -> String {
    let text = String(decoding: bytes.prefix(40), as: UTF8.self)
    return "'" + text + (bytes.count > 40 ? "...'" : "'")
  }
}
