import Foundation
import Imaging
import Testing

/// `ImageDecoder.probeFile`: the decoder's checks up to the pixel data, without decoding.
@Suite struct ImageHeaderTests {
  /// Broken fixtures whose header is sound: only decoding finds the damage.
  static let damagedDataOnly: Set<String> = [
    "bad-zlib.png", "no-eoi.jpg", "truncated-progressive.jpg", "truncated.jpg", "truncated.png",
  ]

  @Test(arguments: TestData.manifest.decode)
  func givesTheSizePillowSees(_ fixture: Manifest.DecodeCase) throws {
    let path = TestData.fixtureFiles.appendingPathComponent(fixture.file).path
    #expect(
      try ImageDecoder.probeFile(atPath: path) == ImageHeader(width: fixture.width, height: fixture.height),
      "\(fixture.file)")
  }

  @Test(arguments: TestData.manifest.broken)
  func refusesWhatTheDecoderRefusesBeforeThePixels(_ fixture: Manifest.BrokenCase) throws {
    let path = TestData.fixtureFiles.appendingPathComponent(fixture.file).path
    if Self.damagedDataOnly.contains(fixture.file) {
      #expect(throws: Never.self) { try ImageDecoder.probeFile(atPath: path) }
      #expect(throws: ImageError.self) { try ImageDecoder.decodeFile(atPath: path) }
    } else {
      let error = #expect(throws: ImageError.self) { try ImageDecoder.probeFile(atPath: path) }
      #expect(error?.code.rawValue == fixture.code, "\(fixture.file): \(String(describing: error))")
      #expect(error?.file == path)
    }
  }

  @Test func pixelLimitIsTheDecodersOwn() throws {
    let path = TestData.fixtureFiles.appendingPathComponent("rgb-420.jpg").path
    #expect(try ImageDecoder.probeFile(atPath: path, maxPixels: 40 * 30).width == 40)
    let error = #expect(throws: ImageError.self) {
      try ImageDecoder.probeFile(atPath: path, maxPixels: 40 * 30 - 1)
    }
    #expect(error?.code == .tooLarge)
  }

  /// Two 60 kB APP15 segments put the frame header past the first bytes read: the probe then
  /// reads the whole file and still finds it.
  @Test func aHeaderBeyondThePrefixIsFound() throws {
    let jpeg = try TestData.bytes(TestData.fixtureFiles.appendingPathComponent("rgb-420.jpg"))
    var padded = Array(jpeg[0..<2])
    for _ in 0..<2 {
      let length = 60_000
      padded += [0xFF, 0xEF, UInt8(length >> 8), UInt8(length & 0xFF)]
      padded += [UInt8](repeating: 0x41, count: length - 2)
    }
    padded += jpeg[2...]
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pixelprobe-probe-\(UUID().uuidString).jpg")
    try Data(padded).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    #expect(try ImageDecoder.probeFile(atPath: file.path) == ImageHeader(width: 40, height: 30))
    #expect(
      try ImageDecoder.decodeFile(atPath: file.path).pixels == ImageDecoder.decode(jpeg, name: "a").pixels)
    // Cut inside the padding, the same file has no frame header at all.
    try Data(padded[0..<50_000]).write(to: file)
    #expect(throws: ImageError.self) { try ImageDecoder.probeFile(atPath: file.path) }
  }
}
