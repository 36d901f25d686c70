// libFuzzer target: the answer parsers, checked against independent reference implementations
// written here from their documented rules (a difference traps, and is a finding):
// - AnswerParser.pixel (Sources/Model/AnswerParser.swift): `[r,g,b]`, three ASCII decimal
//   integers of 1 to 3 digits, each 0...255, nothing else but white space (space, tab, CR, LF)
//   around it;
// - AnswerParser.mask: `0` or `1` with the same white space around it;
// - ReferBox.answerCoordinates (Sources/Refer/ReferBox+Answer.swift) is run for crashes only.
// Compiled together with AnswerParser.swift and the Refer module's sources.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAnswerParsers(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let text = String(decoding: bytes, as: UTF8.self)
  let utf8 = Array(text.utf8)  // invalid UTF-8 became U+FFFD, as it does for answers

  let parsed = AnswerParser.pixel(text)
  let expected = referencePixel(utf8)
  if parsed.map({ [$0.r, $0.g, $0.b] }) != expected {
    fatalError("pixel(\(utf8)) = \(String(describing: parsed)), reference \(String(describing: expected))")
  }
  let mask = AnswerParser.mask(text)
  let expectedMask = referenceMask(utf8)
  if mask != expectedMask {
    fatalError("mask(\(utf8)) = \(String(describing: mask)), reference \(String(describing: expectedMask))")
  }
  if let values = ReferBox.answerCoordinates(text) {
    precondition(values.count == 4 && values.prefix(4).allSatisfy { (0...999).contains($0) })
  }
  return 0
}

func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
  var slice = bytes[...]
  while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
  while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
  return slice
}

func referencePixel(_ bytes: [UInt8]) -> [UInt8]? {
  let body = trimmed(bytes)
  guard body.first == UInt8(ascii: "["), body.last == UInt8(ascii: "]"), body.count >= 2 else { return nil }
  let fields = body.dropFirst().dropLast().split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
  guard fields.count == 3 else { return nil }
  var values: [UInt8] = []
  for field in fields {
    guard (1...3).contains(field.count), field.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
    let value = field.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    guard value <= 255 else { return nil }
    values.append(UInt8(value))
  }
  return values
}

func referenceMask(_ bytes: [UInt8]) -> Bool? {
  let body = trimmed(bytes)
  guard body.count == 1 else { return nil }
  return body.first == UInt8(ascii: "1") ? true : body.first == UInt8(ascii: "0") ? false : nil
}
