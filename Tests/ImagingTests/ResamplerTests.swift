import Foundation
import Testing

@testable import Imaging

@Suite struct ResamplerTests {
  /// The PVP targets: decode + 64x64 BICUBIC against Pillow 13's `data/photos-64`.
  @Test(arguments: TestData.photoNames)
  func photoTargetsMatchPillow(_ photo: String) throws {
    let comparison = try PhotoComparison(photo: photo)
    #expect(comparison.maxDifference <= 1, "\(photo): \(comparison)")
    #expect(comparison.differingValues == 0, "\(photo): \(comparison)")
  }

  @Test func photoTargetsSummary() throws {
    let names = TestData.photoNames
    #expect(names.count == 23)
    var lines = ["photo                            size        max diff  differing values"]
    var totalDiffering = 0
    for name in names {
      let c = try PhotoComparison(photo: name)
      totalDiffering += c.differingValues
      lines.append(
        name.padding(toLength: 33, withPad: " ", startingAt: 0)
          + "\(c.width)x\(c.height)".padding(toLength: 12, withPad: " ", startingAt: 0)
          + "\(c.maxDifference)".padding(toLength: 10, withPad: " ", startingAt: 0) + "\(c.differingValues)")
    }
    lines.append(
      "\(names.count) photos, \(totalDiffering) of \(names.count * 64 * 64 * 3) values differ from Pillow")
    print(lines.joined(separator: "\n"))
    #expect(totalDiffering == 0)
  }

  @Test(arguments: TestData.manifest.resize)
  func resizeMatchesPillow(_ fixture: Manifest.ResizeCase) throws {
    let source = try Self.pillowDecoded(fixture.source)
    let expected = try TestData.bytes(TestData.expected.appendingPathComponent(fixture.expected))
    let resized =
      fixture.filter == "nearest"
      ? Resampler.nearest(source, width: fixture.width, height: fixture.height)
      : Resampler.bicubic(source, width: fixture.width, height: fixture.height)
    #expect(resized.width == fixture.width && resized.height == fixture.height)
    let mismatch = firstMismatch(resized.pixels, expected)
    #expect(mismatch == nil, "\(fixture.expected): \(mismatch ?? "")")
  }

  @Test(arguments: TestData.manifest.grayNearest)
  func grayNearestMatchesPillow(_ fixture: Manifest.GrayResizeCase) throws {
    let mask = try ImageDecoder.decodeGrayFile(
      atPath: TestData.fixtureFiles.appendingPathComponent(fixture.source).path)
    let expected = try TestData.bytes(TestData.expected.appendingPathComponent(fixture.expected))
    let resized = Resampler.nearest(mask, width: fixture.width, height: fixture.height)
    #expect(firstMismatch(resized.pixels, expected) == nil)
  }

  /// The fast bicubic path against the direct integer transcription of Pillow's loops, on random
  /// images and sizes (up, down, mixed, one axis only, extreme ratios).
  @Test func fastPathEqualsReference() {
    var rng = SplitMix64(seed: 7)
    let sizes = [
      (40, 30, 64, 64), (640, 480, 64, 64), (17, 300, 64, 64), (300, 5, 64, 64), (64, 64, 64, 63),
      (64, 64, 65, 64), (3, 2, 200, 100), (1, 1, 5, 7), (5, 7, 1, 1), (999, 3, 2, 3), (128, 96, 127, 97),
    ]
    for (w, h, tw, th) in sizes {
      // Saturated noise makes the sums land near rounding boundaries and outside 0...255.
      let pixels = (0..<(w * h * 3)).map { _ in
        rng.next() % 3 == 0 ? UInt8(rng.next() % 256) : (rng.next() % 2 == 0 ? 0 : 255)
      }
      let image = RGBImage(width: w, height: h, pixels: pixels)
      let fast = Resampler.bicubic(image, width: tw, height: th)
      let reference = Resampler.bicubicReference(image, width: tw, height: th)
      #expect(firstMismatch(fast.pixels, reference.pixels) == nil, "\(w)x\(h) -> \(tw)x\(th)")
    }
  }

  /// Several sizes at once equal each size on its own, and the bit-exact reference: shared rows
  /// (downscales), upscales, one axis only, the same size, and an odd number of row quads.
  @Test func severalSizesEqualEachAlone() {
    var rng = SplitMix64(seed: 5)
    for (w, h) in [(160, 120), (97, 61), (33, 200)] {
      let pixels = (0..<(w * h * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      let image = RGBImage(width: w, height: h, pixels: pixels)
      let sizes = [(4, 4), (8, 8), (16, 16), (32, 32), (w, h), (w, 7), (5, h), (w + 9, h * 2), (64, 64)]
      let together = Resampler.bicubic(image, sizes: sizes.map { (width: $0.0, height: $0.1) })
      #expect(together.count == sizes.count)
      for ((tw, th), resized) in zip(sizes, together) {
        #expect(resized == Resampler.bicubic(image, width: tw, height: th), "\(w)x\(h) -> \(tw)x\(th)")
        let reference = Resampler.bicubicReference(image, width: tw, height: th)
        #expect(firstMismatch(resized.pixels, reference.pixels) == nil, "\(w)x\(h) -> \(tw)x\(th)")
      }
    }
  }

  /// The integer fallback of the fast path: with the tolerance raised to 0.6 every value is
  /// recomputed in integers, and must still be Pillow's.
  @Test func exactFallbackEqualsReference() {
    var rng = SplitMix64(seed: 11)
    for (w, h, tw, th) in [(57, 43, 13, 9), (20, 30, 41, 7), (300, 2, 64, 64)] {
      let pixels = (0..<(w * h * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      let image = RGBImage(width: w, height: h, pixels: pixels)
      let plan = BicubicPlan(sourceWidth: w, sourceHeight: h, width: tw, height: th, minimumTolerance: 0.6)
      let exact = Resampler.bicubicFast(image, plan: plan)
      let reference = Resampler.bicubicReference(image, width: tw, height: th)
      #expect(firstMismatch(exact.pixels, reference.pixels) == nil, "\(w)x\(h) -> \(tw)x\(th)")
    }
  }

  /// The tolerances stay small: few values take the integer path.
  @Test func toleranceIsPositiveAndSmall() {
    let plan = BicubicPlan(sourceWidth: 640, sourceHeight: 480, width: 64, height: 64)
    for tolerance in plan.horizontalTolerance + plan.verticalTolerance {
      #expect(tolerance > 0x1p-12 && tolerance < 0.01)
    }
  }

  @Test func sameSizeIsACopy() {
    let image = RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
    #expect(Resampler.bicubic(image, width: 2, height: 1) == image)
    #expect(Resampler.nearest(image, width: 2, height: 1) == image)
  }

  /// A Pillow-decoded fixture source (the expected `.rgb` of a decode case, or a Pillow-written
  /// RGB PNG), so resize tests do not depend on our JPEG decoding.
  static func pillowDecoded(_ source: String) throws -> RGBImage {
    if let fixture = TestData.manifest.decode.first(where: { $0.file == source }) {
      let pixels = try TestData.bytes(TestData.expected.appendingPathComponent(fixture.rgb))
      return RGBImage(width: fixture.width, height: fixture.height, pixels: pixels)
    }
    return try ImageDecoder.decodeFile(atPath: TestData.fixtureFiles.appendingPathComponent(source).path)
  }
}

/// Our decode + resize of one photo against its Pillow target.
struct PhotoComparison: CustomStringConvertible {
  var width: Int
  var height: Int
  var maxDifference: Int
  var differingValues: Int

  init(photo: String) throws {
    let image = try ImageDecoder.decodeFile(atPath: TestData.photos.appendingPathComponent(photo).path)
    let stem = (photo as NSString).deletingPathExtension
    let target = try ImageDecoder.decodeFile(
      atPath: TestData.photoTargets.appendingPathComponent(stem + ".png").path)
    let ours = Resampler.bicubic(image, width: 64, height: 64)
    width = image.width
    height = image.height
    var maxDifference = 0
    var differing = 0
    for (a, b) in zip(ours.pixels, target.pixels) where a != b {
      maxDifference = max(maxDifference, abs(Int(a) - Int(b)))
      differing += 1
    }
    self.maxDifference = maxDifference
    self.differingValues = differing
  }

  var description: String {
    "\(width)x\(height), max difference \(maxDifference), \(differingValues) values differ"
  }
}

/// A small deterministic generator for test data.
struct SplitMix64 {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
