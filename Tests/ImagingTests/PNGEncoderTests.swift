import Imaging
import Testing

@Suite struct PNGEncoderTests {
  @Test(arguments: [(1, 1), (40, 30), (3, 200), (257, 2)])
  func rgbRoundTrip(_ size: (Int, Int)) throws {
    var rng = SplitMix64(seed: UInt64(size.0 * 1000 + size.1))
    let pixels = (0..<(size.0 * size.1 * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    let image = RGBImage(width: size.0, height: size.1, pixels: pixels)
    let png = try PNGEncoder.encode(image)
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    #expect(try ImageDecoder.decode(png, name: "roundtrip.png") == image)
  }

  @Test func grayRoundTrip() throws {
    let pixels = (0..<(31 * 17)).map { UInt8(truncatingIfNeeded: $0 * 7) }
    let image = GrayImage(width: 31, height: 17, pixels: pixels)
    let png = try PNGEncoder.encode(image)
    #expect(try ImageDecoder.decodeGray(png, name: "roundtrip.png") == image)
    // As RGB, gray is copied into every channel.
    let rgb = try ImageDecoder.decode(png, name: "roundtrip.png")
    #expect(rgb[1, 2] == (pixels[31 + 2], pixels[31 + 2], pixels[31 + 2]))
  }

  @Test func emptyImageIsRefused() {
    #expect(throws: ImageError.self) { try PNGEncoder.encode(RGBImage(width: 0, height: 0, pixels: [])) }
  }
}
