import Foundation
import Imaging
import Testing

@Suite struct ImageDecoderTests {
  @Test(arguments: TestData.manifest.decode)
  func decodesLikePillow(_ fixture: Manifest.DecodeCase) throws {
    let bytes = try TestData.bytes(TestData.fixtureFiles.appendingPathComponent(fixture.file))
    let image = try ImageDecoder.decode(bytes, name: fixture.file)
    let expected = try TestData.bytes(TestData.expected.appendingPathComponent(fixture.rgb))
    #expect(image.width == fixture.width && image.height == fixture.height)
    let mismatch = firstMismatch(image.pixels, expected)
    #expect(
      mismatch == nil,
      "\(fixture.file) (\(fixture.what), Pillow mode \(fixture.pillowMode)): \(mismatch ?? "")")
  }

  @Test(arguments: TestData.manifest.decode)
  func decodesGrayLikePillow(_ fixture: Manifest.DecodeCase) throws {
    let bytes = try TestData.bytes(TestData.fixtureFiles.appendingPathComponent(fixture.file))
    let image = try ImageDecoder.decodeGray(bytes, name: fixture.file)
    let expected = try TestData.bytes(TestData.expected.appendingPathComponent(fixture.gray))
    #expect(image.width == fixture.width && image.height == fixture.height)
    let mismatch = firstMismatch(image.pixels, expected)
    #expect(mismatch == nil, "\(fixture.file) as L: \(mismatch ?? "")")
  }

  @Test(arguments: TestData.manifest.broken)
  func refusesBrokenFiles(_ fixture: Manifest.BrokenCase) throws {
    let path = TestData.fixtureFiles.appendingPathComponent(fixture.file).path
    let error = #expect(throws: ImageError.self) { try ImageDecoder.decodeFile(atPath: path) }
    #expect(
      error?.code.rawValue == fixture.code, "\(fixture.file) (\(fixture.what)): \(String(describing: error))")
    #expect(error?.file == path)
    #expect(error?.description.contains(fixture.file) == true)
  }

  @Test func missingFileIsAnIOError() {
    let path = TestData.fixtureFiles.appendingPathComponent("no-such-file.jpg").path
    let error = #expect(throws: ImageError.self) { try ImageDecoder.decodeFile(atPath: path) }
    #expect(error?.code == .io)
    #expect(error?.description.contains("no-such-file.jpg") == true)
  }

  @Test func sniffsByContentNotName() throws {
    let png = try TestData.bytes(TestData.fixtureFiles.appendingPathComponent("rgb8.png"))
    let expected = try TestData.bytes(TestData.expected.appendingPathComponent("rgb8.png.rgb"))
    #expect(try ImageDecoder.decode(png, name: "actually-a-png.jpg").pixels == expected)
  }

  @Test func pixelLimitIsInclusive() throws {
    let bytes = try TestData.bytes(TestData.fixtureFiles.appendingPathComponent("rgb-420.jpg"))
    #expect(try ImageDecoder.decode(bytes, name: "a.jpg", maxPixels: 40 * 30).width == 40)
    let error = #expect(throws: ImageError.self) {
      try ImageDecoder.decode(bytes, name: "a.jpg", maxPixels: 40 * 30 - 1)
    }
    #expect(error?.code == .tooLarge)
    let png = try TestData.bytes(TestData.fixtureFiles.appendingPathComponent("rgb8.png"))
    let pngError = #expect(throws: ImageError.self) {
      try ImageDecoder.decode(png, name: "b.png", maxPixels: 40 * 30 - 1)
    }
    #expect(pngError?.code == .tooLarge)
  }

  @Test func subscriptReadsRowThenColumn() throws {
    let image = RGBImage(width: 2, height: 2, pixels: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    #expect(image[0, 1] == (4, 5, 6))
    #expect(image[1, 0] == (7, 8, 9))
  }
}

/// A description of the first differing byte, or nil when equal.
func firstMismatch(_ actual: [UInt8], _ expected: [UInt8]) -> String? {
  if actual.count != expected.count {
    return "\(actual.count) bytes, expected \(expected.count)"
  }
  guard let i = actual.indices.first(where: { actual[$0] != expected[$0] }) else { return nil }
  let differing = zip(actual, expected).filter { $0 != $1 }.count
  return "\(differing) bytes differ; first at byte \(i): \(actual[i]) vs \(expected[i])"
}

@Suite struct ImageDecoderRobustnessTests {
  /// Cut and damaged versions of real files: each must decode or throw an `ImageError`, never
  /// crash or hang.
  @Test(arguments: [
    "rgb-420.jpg", "progressive.jpg", "cmyk.jpg", "rgb8-interlaced.png", "palette4-trns.png", "gray16.png",
  ])
  func damagedFilesFailCleanly(_ name: String) throws {
    let original = try TestData.bytes(TestData.fixtureFiles.appendingPathComponent(name))
    var rng = SplitMix64(seed: UInt64(original.count))
    // Cut short anywhere before the trailer (PNG: the 12-byte IEND chunk; JPEG: EOI): refused.
    for cut in stride(from: 0, to: original.count - 12, by: max(1, original.count / 40)) {
      let error = #expect(throws: ImageError.self) {
        try ImageDecoder.decode(Array(original.prefix(cut)), name: name)
      }
      #expect(error?.file == name)
    }
    // Damaged bytes: decoded (damage in pixel data) or refused, never a crash.
    for _ in 0..<60 {
      var damaged = original
      for _ in 0..<(1 + Int(rng.next() % 4)) {
        damaged[Int(rng.next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: rng.next())
      }
      do {
        let image = try ImageDecoder.decode(damaged, name: name)
        #expect(image.pixels.count == image.width * image.height * 3)
      } catch {
        #expect(error.file == name)
      }
    }
  }

  /// Regression (found by the hostile-input pipeline test): a corpus entry that is a link to a
  /// device or a FIFO used to be read forever (memory without bound) or to block on open.
  @Test func filesThatAreNotRegularAreRefusedAtOnce() throws {
    let directory = NSTemporaryDirectory() + "pixelprobe-special-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try FileManager.default.createSymbolicLink(
      atPath: directory + "/zero.jpg", withDestinationPath: "/dev/zero")
    #expect(mkfifo(directory + "/fifo.png", 0o600) == 0)
    for name in ["zero.jpg", "fifo.png"] {
      let path = directory + "/" + name
      let error = #expect(throws: ImageError.self) { try ImageDecoder.decodeFile(atPath: path) }
      #expect(error?.code == .io && error?.detail == "not a regular file", "\(String(describing: error))")
    }
  }
}
