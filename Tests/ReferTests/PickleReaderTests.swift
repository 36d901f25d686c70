import Foundation
import Refer
import Testing

@Suite struct PickleReaderTests {
  let reader = PickleReader()

  func decode(_ bytes: [UInt8]) throws -> PickleValue {
    try reader.read(bytes)
  }

  func failure(_ bytes: [UInt8], limits: PickleReader.Limits = .init()) -> PickleError? {
    do {
      _ = try PickleReader(limits: limits).read(bytes, file: "hostile.p")
      return nil
    } catch {
      return error
    }
  }

  // MARK: The fixture

  /// The first ref as `pickletools.dis` shows it (offsets 0-620 of the fixture).
  @Test func fixtureRefsDecode() throws {
    let value = try reader.read(contentsOfFile: Fixtures.refsPath)
    let refs = try #require(value.elements)
    #expect(refs.count == 11)
    let first = refs[0]
    let expected = PickleValue.dict([
      .init(key: .string("sent_ids"), value: .list([.int(0), .int(1)])),
      .init(key: .string("file_name"), value: .string("2011_000003_1.jpg")),
      .init(key: .string("ann_id"), value: .int(1)),
      .init(key: .string("ref_id"), value: .int(0)),
      .init(key: .string("image_id"), value: .int(2_011_000_003)),
      .init(key: .string("split"), value: .string("testA")),
      .init(
        key: .string("sentences"),
        value: .list([
          .dict([
            .init(
              key: .string("tokens"),
              value: .list(
                ["man", "in", "the", "middle", "wearing", "a", "black", "hat"].map { .string($0) })),
            .init(key: .string("raw"), value: .string("man in the middle wearing a black hat")),
            .init(key: .string("sent_id"), value: .int(0)),
            .init(key: .string("sent"), value: .string("man in the middle wearing a black hat")),
          ]),
          .dict([
            .init(
              key: .string("tokens"),
              value: .list(
                ["squatting", "man", "in", "a", "teal", "and", "white", "jacket"].map { .string($0) })),
            .init(key: .string("raw"), value: .string("Squatting man in a teal and white jacket")),
            .init(key: .string("sent_id"), value: .int(1)),
            .init(key: .string("sent"), value: .string("squatting man in a teal and white jacket")),
          ]),
        ])),
      .init(key: .string("category_id"), value: .int(1)),
    ])
    #expect(first == expected)
    // 20 sentences in all, as the fixture's README says.
    #expect(refs.compactMap { $0["sentences"]?.elements?.count }.reduce(0, +) == 20)
  }

  /// Every strict prefix of the fixture fails cleanly as truncated.
  @Test func everyTruncationOfTheFixtureIsRefused() throws {
    let bytes = try Fixtures.bytes(Fixtures.refsPath)
    for length in 0..<bytes.count {
      let error = failure(Array(bytes[0..<length]))
      #expect(error?.code == .truncated, "prefix of \(length) bytes")
    }
  }

  // MARK: CPython's own pickles, protocols 0 to 5

  /// The value `make_pickles.py` pickles, spelled out by hand.
  static let expectedValue = PickleValue.list([
    .none, .bool(true), .bool(false),
    .int(0), .int(1), .int(-1), .int(255), .int(256), .int(65535), .int(65536),
    .int(-2_147_483_648), .int(2_147_483_647), .int(2_147_483_648), .int(Int64.max), .int(Int64.min),
    .float(1.5), .float(-0.25), .float(1e300),
    .string(""), .string("ascii"), .string("\u{FC}n\u{EF}c\u{F6}d\u{E9} \u{2713} \u{1F600} \n \\ 'q' \"d\""),
    .tuple([]), .tuple([.string("one")]), .tuple([.int(1), .int(2)]),
    .tuple([.int(1), .int(2), .int(3)]), .tuple([.int(1), .int(2), .int(3), .int(4)]),
    .dict([
      .init(key: .string("a"), value: .int(1)),
      .init(key: .string("b"), value: .list([.int(1), .int(2)])),
      .init(key: .int(3), value: .string("three")),
      .init(key: .tuple([.int(1), .int(2)]), value: .none),
    ]),
    .list([.list([]), .dict([])]),
    .list([.int(1), .int(2)]), .list([.int(1), .int(2)]),
  ])

  @Test(arguments: 0...5) func cpythonProtocols(protocol version: Int) throws {
    let value = try reader.read(contentsOfFile: Fixtures.path("pickles/protocol\(version).p"))
    #expect(value == Self.expectedValue)
  }

  // MARK: Python 2 forms, by hand

  /// Protocol 2 as Python 2's cPickle writes `str`: SHORT_BINSTRING and BINSTRING; LONG1 ints.
  @Test func python2BinaryStrings() throws {
    let bytes: [UInt8] =
      [0x80, 0x02, 0x5D, 0x71, 0x00, 0x28]  // PROTO 2, EMPTY_LIST, BINPUT 0, MARK
      + [0x55, 0x03] + Array("abc".utf8)  // SHORT_BINSTRING 'abc'
      + [0x54, 0x02, 0x00, 0x00, 0x00, 0xC3, 0xA9]  // BINSTRING 'é' in UTF-8
      + [0x55, 0x01, 0xE9]  // SHORT_BINSTRING '\xe9': not UTF-8, so Latin-1
      + [0x8A, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]  // LONG1 2**63 - 1
      + [0x8A, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0xFF]  // LONG1 -2**63, 9 bytes
      + [0x8A, 0x00]  // LONG1 0
      + [0x8A, 0x01, 0xFF]  // LONG1 -1
      + [0x8A, 0x02, 0x00, 0x80]  // LONG1 -32768
      + [0x4A, 0xFE, 0xFF, 0xFF, 0xFF]  // BININT -2
      + [0x4D, 0x00, 0x01]  // BININT2 256
      + [0x47, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0]  // BINFLOAT 1.5
      + [0x65, 0x2E]  // APPENDS, STOP
    #expect(
      try decode(bytes)
        == .list([
          .string("abc"), .string("\u{E9}"), .string("\u{E9}"), .int(Int64.max), .int(Int64.min),
          .int(0), .int(-1), .int(-32768), .int(-2), .int(256), .float(1.5),
        ]))
  }

  /// Protocol 0 as Python 2 writes it: quoted `repr` strings, `I01` booleans, `L` longs, PUT/GET.
  @Test func python2TextProtocol() throws {
    let text =
      "(lp0\n(dp1\nS'sent'\np2\nS'it\\'s a \\x41\\n\\101\\\\'\np3\nsS\"ok\"\np4\nI01\nsaL12345678901L\naF0.5\nag2\n"
      + "ag1\naVcaf\\u00e9 \\U0001f600\np5\na(I1\nI-2\ntp6\naNa(I7\nla."
    let value = try decode(Array(text.utf8))
    let dict = PickleValue.dict([
      .init(key: .string("sent"), value: .string("it's a A\nA\\")),
      .init(key: .string("ok"), value: .bool(true)),
    ])
    #expect(
      value
        == .list([
          dict, .int(12_345_678_901), .float(0.5), .string("sent"), dict, .string("caf\u{E9} \u{1F600}"),
          .tuple([.int(1), .int(-2)]), .none, .list([.int(7)]),
        ]))
  }

  /// raw-unicode-escape: an escape needs an odd number of backslashes before it.
  @Test func rawUnicodeEscapeBackslashes() throws {
    let value = try decode(Array("V\\\\u0041 \\\\\\u0041\n.".utf8))
    #expect(value == .string("\\\\u0041 \\\\A"))
  }

  /// A memo GET returns the list itself, filled later, not a snapshot taken at PUT time.
  @Test func memoSharesMutableContainers() throws {
    let bytes: [UInt8] =
      [0x80, 0x02, 0x5D, 0x71, 0x00]  // outer = [], memo 0
      + [0x5D, 0x71, 0x01, 0x61]  // inner = [], memo 1; outer.append(inner)
      + [0x68, 0x01, 0x4B, 0x05, 0x61]  // inner.append(5)
      + [0x61, 0x2E]  // outer.append(inner); STOP
    #expect(try decode(bytes) == .list([.list([.int(5)]), .list([.int(5)])]))
  }

  /// MEMOIZE numbers slots by how many are in use, counting ones stored far away by LONG_BINPUT
  /// (CPython decodes these bytes to `[None, 1, 1, 1, None]`).
  @Test func memoizeCountsEverySlot() throws {
    let bytes: [UInt8] = [
      0x80, 0x04, 0x28, 0x4E, 0x94, 0x4B, 0x01, 0x72, 0x05, 0, 0, 0, 0x94, 0x68, 0x02, 0x68, 0x05, 0x68,
      0x00, 0x6C, 0x2E,
    ]
    #expect(try decode(bytes) == .list([.none, .int(1), .int(1), .int(1), .none]))
  }

  /// Python keeps the first key object and the last value: `{1: 'a', True: 'b', 1.0: 'c'}` is `{1: 'c'}`.
  @Test func repeatedDictKeysKeepTheirPlace() throws {
    let bytes: [UInt8] =
      [0x80, 0x02, 0x7D, 0x28, 0x4B, 0x01, 0x55, 0x01, 0x61, 0x88, 0x55, 0x01, 0x62]
      + [0x47, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x55, 0x01, 0x63, 0x4B, 0x02, 0x4E, 0x75, 0x2E]
    #expect(
      try decode(bytes)
        == .dict([.init(key: .int(1), value: .string("c")), .init(key: .int(2), value: .none)]))
  }

  /// Past 16 keys the dict is indexed; a repeated key (3.0 == 3) still replaces the value in place.
  @Test func repeatedKeyInALargeDict() throws {
    var bytes: [UInt8] = [0x80, 0x02, 0x7D, 0x28]
    for key in 0..<20 { bytes += [0x4B, UInt8(key), 0x4B, UInt8(key * 10)] }
    bytes += [0x47, 0x40, 0x08, 0, 0, 0, 0, 0, 0, 0x4B, 99, 0x75, 0x2E]  // 3.0: 99, SETITEMS, STOP
    let expected = (0..<20).map {
      PickleValue.Entry(key: .int(Int64($0)), value: .int($0 == 3 ? 99 : Int64($0 * 10)))
    }
    #expect(try decode(bytes) == .dict(expected))
  }

  @Test func accessors() throws {
    let value = try reader.read(contentsOfFile: Fixtures.path("pickles/protocol2.p"))
    #expect(value.elements?.count == 30)
    #expect(value.elements?[4].intValue == 1)
    #expect(value.elements?[1].intValue == nil)  // a bool is no int here
    #expect(value.elements?[19].stringValue == "ascii")
    #expect(value.elements?[26]["b"] == .list([.int(1), .int(2)]))
    #expect(value.elements?[26]["missing"] == nil)
    #expect(value.elements?[23].elements == [.int(1), .int(2)])
    #expect(value.typeName == "list")
  }

  // MARK: Hostile input

  struct HostileCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var code: PickleError.Code
    var offset: Int
    /// A word the message must contain.
    var mentions: String
    var testDescription: String { name }
  }

  static let hostileCases: [HostileCase] = [
    HostileCase(
      name: "os.system via GLOBAL and REDUCE",
      bytes: Array("cos\nsystem\n(S'echo pwned'\ntR.".utf8), code: .unsupportedOpcode, offset: 0,
      mentions: "GLOBAL"),
    HostileCase(
      name: "REDUCE after data", bytes: [0x80, 0x02, 0x5D, 0x71, 0x00, 0x52, 0x2E],
      code: .unsupportedOpcode, offset: 5, mentions: "REDUCE"),
    HostileCase(
      name: "STACK_GLOBAL", bytes: [0x80, 0x04, 0x8C, 0x01, 0x6F, 0x8C, 0x01, 0x73, 0x93, 0x2E],
      code: .unsupportedOpcode, offset: 8, mentions: "STACK_GLOBAL"),
    HostileCase(
      name: "BUILD", bytes: [0x80, 0x02, 0x7D, 0x7D, 0x62, 0x2E], code: .unsupportedOpcode, offset: 4,
      mentions: "BUILD"),
    HostileCase(
      name: "INST", bytes: Array("(ios\nsystem\n.".utf8), code: .unsupportedOpcode, offset: 1,
      mentions: "INST"),
    HostileCase(
      name: "NEWOBJ", bytes: [0x80, 0x02, 0x4E, 0x29, 0x81, 0x2E], code: .unsupportedOpcode, offset: 4,
      mentions: "NEWOBJ"),
    HostileCase(
      name: "EXT1", bytes: [0x80, 0x02, 0x82, 0x01, 0x2E], code: .unsupportedOpcode, offset: 2,
      mentions: "EXT1"),
    HostileCase(
      name: "BINPERSID", bytes: [0x80, 0x02, 0x4B, 0x01, 0x51, 0x2E], code: .unsupportedOpcode, offset: 4,
      mentions: "BINPERSID"),
    HostileCase(
      name: "a set", bytes: [0x80, 0x04, 0x8F, 0x2E], code: .unsupportedOpcode, offset: 2,
      mentions: "EMPTY_SET"),
    HostileCase(
      name: "unknown opcode", bytes: [0x80, 0x02, 0x5D, 0xFF, 0x2E], code: .unknownOpcode, offset: 3,
      mentions: "0xff"),
    HostileCase(
      name: "empty input", bytes: [], code: .truncated, offset: 0, mentions: "STOP"),
    HostileCase(
      name: "BINUNICODE length 4 GiB, 3 bytes left",
      bytes: [0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0xFF, 0x61, 0x62, 0x63], code: .truncated, offset: 2,
      mentions: "4294967295"),
    HostileCase(
      name: "BINUNICODE8 length 2**63",
      bytes: [0x80, 0x04, 0x8D, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x61], code: .truncated, offset: 2,
      mentions: "9223372036854775808"),
    HostileCase(
      name: "BINBYTES8 length 2**64 - 1",
      bytes: [0x80, 0x04, 0x8E] + [UInt8](repeating: 0xFF, count: 8) + [0x2E], code: .truncated,
      offset: 2, mentions: "18446744073709551615"),
    HostileCase(
      name: "BINSTRING negative length", bytes: [0x80, 0x02, 0x54, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E],
      code: .malformed, offset: 2, mentions: "negative"),
    HostileCase(
      name: "LONG4 with a huge count", bytes: [0x80, 0x02, 0x8B, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x2E],
      code: .truncated, offset: 2, mentions: "2147483647"),
    HostileCase(
      name: "FRAME longer than the input", bytes: [0x80, 0x04, 0x95, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0x2E],
      code: .truncated, offset: 2, mentions: "frame"),
    HostileCase(
      name: "BINGET of an empty slot", bytes: [0x80, 0x02, 0x68, 0x05, 0x2E], code: .badMemo, offset: 2,
      mentions: "5"),
    HostileCase(
      name: "LONG_BINGET far away",
      bytes: [0x80, 0x02, 0x4E, 0x71, 0x00, 0x6A, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E],
      code: .badMemo, offset: 5, mentions: "4294967295"),
    HostileCase(
      name: "LONG1 2**63", bytes: [0x80, 0x02, 0x8A, 0x09, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x00, 0x2E],
      code: .tooLarge, offset: 2, mentions: "64 bits"),
    HostileCase(
      name: "LONG1 -2**63 - 1",
      bytes: [0x80, 0x02, 0x8A, 0x09, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0x2E],
      code: .tooLarge, offset: 2, mentions: "64 bits"),
    HostileCase(
      name: "LONG1 2**64", bytes: [0x80, 0x02, 0x8A, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x2E],
      code: .tooLarge, offset: 2, mentions: "64 bits"),
    HostileCase(
      name: "INT beyond 64 bits", bytes: Array("I99999999999999999999\n.".utf8), code: .tooLarge, offset: 0,
      mentions: "64 bits"),
    HostileCase(
      name: "INT with letters", bytes: Array("I12ab\n.".utf8), code: .malformed, offset: 0,
      mentions: "12ab"),
    HostileCase(
      name: "INT without newline", bytes: Array("I12".utf8), code: .truncated, offset: 0,
      mentions: "newline"),
    HostileCase(
      name: "unquoted STRING", bytes: Array("Sabc\n.".utf8), code: .malformed, offset: 0,
      mentions: "quoted"),
    HostileCase(
      name: "bad \\x escape", bytes: Array("S'\\xZZ'\n.".utf8), code: .malformed, offset: 0,
      mentions: "\\x"),
    HostileCase(
      name: "BINUNICODE not UTF-8", bytes: [0x80, 0x02, 0x58, 0x01, 0, 0, 0, 0xFF, 0x2E], code: .malformed,
      offset: 2, mentions: "UTF-8"),
    HostileCase(
      name: "protocol 6", bytes: [0x80, 0x06, 0x4E, 0x2E], code: .malformed, offset: 0, mentions: "6"),
    HostileCase(
      name: "APPEND on an empty stack", bytes: [0x80, 0x02, 0x61, 0x2E], code: .badStack, offset: 2,
      mentions: "APPEND"),
    HostileCase(
      name: "APPEND to a dict", bytes: [0x80, 0x02, 0x7D, 0x4E, 0x61, 0x2E], code: .badStack, offset: 4,
      mentions: "list"),
    HostileCase(
      name: "SETITEM on a list", bytes: [0x80, 0x02, 0x5D, 0x4E, 0x4E, 0x73, 0x2E], code: .badStack,
      offset: 5, mentions: "dict"),
    HostileCase(
      name: "APPENDS without MARK", bytes: [0x80, 0x02, 0x5D, 0x65, 0x2E], code: .badStack, offset: 3,
      mentions: "MARK"),
    HostileCase(
      name: "SETITEMS with an odd count", bytes: [0x80, 0x02, 0x7D, 0x28, 0x4E, 0x75, 0x2E],
      code: .badStack, offset: 5, mentions: "odd"),
    HostileCase(
      name: "STOP with two values", bytes: [0x80, 0x02, 0x4E, 0x4E, 0x2E], code: .badStack, offset: 4,
      mentions: "2 values"),
    HostileCase(
      name: "STOP with an open MARK", bytes: [0x80, 0x02, 0x4E, 0x28, 0x2E], code: .badStack, offset: 4,
      mentions: "MARK"),
    HostileCase(
      name: "TUPLE2 with one value", bytes: [0x80, 0x02, 0x4E, 0x86, 0x2E], code: .badStack, offset: 3,
      mentions: "2 values"),
    HostileCase(
      name: "MARK hides the values below it", bytes: [0x80, 0x02, 0x5D, 0x28, 0x4E, 0x61, 0x61, 0x2E],
      code: .badStack, offset: 5, mentions: "APPEND"),
    HostileCase(
      name: "a list as a dict key", bytes: [0x80, 0x02, 0x7D, 0x5D, 0x4E, 0x73, 0x2E], code: .malformed,
      offset: 5, mentions: "unhashable"),
    HostileCase(
      name: "a list that holds itself", bytes: [0x80, 0x02, 0x5D, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2E],
      code: .tooDeep, offset: 8, mentions: "itself"),
    HostileCase(
      name: "1000 nested lists",
      bytes: [0x80, 0x02] + [UInt8](repeating: 0x5D, count: 1000) + [UInt8](repeating: 0x61, count: 999)
        + [0x2E], code: .tooDeep, offset: 2001, mentions: "100"),
    HostileCase(
      name: "1000 open marks", bytes: [0x80, 0x02] + [UInt8](repeating: 0x28, count: 1000) + [0x2E],
      code: .tooDeep, offset: 102, mentions: "marks"),
    HostileCase(
      name: "a billion laughs", bytes: billionLaughs(levels: 60), code: .tooLarge,
      offset: billionLaughs(levels: 60).count - 1, mentions: "shared"),
  ]

  /// `t[i] = (t[i-1], t[i-1])` for `levels` levels, all in one list: tiny input, 2^levels values.
  static func billionLaughs(levels: Int) -> [UInt8] {
    var bytes: [UInt8] = [0x80, 0x02, 0x28, 0x4E, 0x71, 0x00]  // MARK, None -> memo 0
    for level in 1...levels {
      bytes += [0x68, UInt8(level - 1), 0x68, UInt8(level - 1), 0x86, 0x71, UInt8(level)]
    }
    return bytes + [0x6C, 0x2E]  // LIST, STOP
  }

  @Test(arguments: hostileCases) func hostileInputIsRefused(_ hostile: HostileCase) throws {
    let error = try #require(failure(hostile.bytes))
    #expect(error.code == hostile.code, "\(error)")
    #expect(error.offset == hostile.offset, "\(error)")
    #expect(error.file == "hostile.p")
    #expect(error.description.contains(hostile.mentions), "\(error)")
    #expect(error.description.hasPrefix("hostile.p at byte \(hostile.offset): "))
  }

  @Test func stackLimit() throws {
    let bytes: [UInt8] = [0x80, 0x02] + [UInt8](repeating: 0x4E, count: 50) + [0x2E]
    let error = try #require(failure(bytes, limits: .init(maxStack: 40)))
    #expect(error.code == .tooLarge)
    #expect(error.offset == 42)
  }

  /// Sharing is fine while the expanded result stays within the limit.
  @Test func modestSharingIsAllowed() throws {
    let value = try decode(Self.billionLaughs(levels: 3))
    let level1 = PickleValue.tuple([.none, .none])
    let level2 = PickleValue.tuple([level1, level1])
    #expect(value == .list([.none, level1, level2, .tuple([level2, level2])]))
  }

  @Test func missingFileIsUnreadable() throws {
    do {
      _ = try reader.read(contentsOfFile: "/nonexistent/refs(unc).p")
      Issue.record("expected an error")
    } catch {
      #expect(error.code == .unreadable)
      #expect(error.file == "/nonexistent/refs(unc).p")
    }
  }
}
