import Testing

@testable import Shards

@Suite struct CRC32Tests {
  @Test func checkValue() {
    // The catalogued check value of CRC-32/ISO-HDLC.
    #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    #expect(CRC32.checksum([]) == 0)
  }

  /// Expected values are Python's `zlib.crc32` over `pattern(n)`, computed once by hand.
  @Test(arguments: [
    (1, 0x4b0b_be37 as UInt32), (55, 0x30c9_4412), (56, 0xcb5e_10b8), (63, 0xb735_0c2a), (64, 0xcbd9_ecf0),
    (65, 0x6d19_5777), (127, 0xefb6_6daa), (1000, 0x17bc_2a46), (100_003, 0xcd67_6dab),
  ])
  func matchesZlib(length: Int, expected: UInt32) {
    #expect(CRC32.checksum(pattern(length)) == expected)
  }

  @Test func incrementalUpdatesAgree() {
    let message = pattern(1000)
    var crc = CRC32()
    for piece in stride(from: 0, to: message.count, by: 13) {
      Array(message[piece..<min(piece + 13, message.count)]).withUnsafeBytes { crc.update($0) }
    }
    #expect(crc.value == 0x17bc_2a46)
  }
}
