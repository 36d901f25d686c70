import Refer
import Testing

@Suite struct RLETests {
  /// pycocotools' answers for uncompressed RLEs (`coco_cases.json`, `make_coco_cases.py`).
  struct RLECase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var height: Int
    var width: Int
    var uncompressed: [UInt32]
    var compressed: String
    var area: Int
    var bbox: [Int]
    var testDescription: String { name }
  }

  struct Cases: Decodable {
    var rle: [RLECase]
  }

  static let pycocotoolsCases: [RLECase] = (try? Fixtures.json("coco_cases.json", as: Cases.self).rle) ?? []

  // A 3 x 4 mask by hand:
  //   0 1 0 0
  //   1 1 0 0
  //   0 0 0 1
  // column-major: 0 1 0 | 1 1 0 | 0 0 0 | 0 0 1 -> runs 1, 1, 1, 2, 6, 1.
  static let handMask: [UInt8] = [0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1]

  @Test func encodesAndDecodesByHand() throws {
    let rle = try RLE(mask: Self.handMask, height: 3, width: 4)
    #expect(rle.counts == [1, 1, 1, 2, 6, 1])
    #expect(rle.decoded() == Self.handMask)
    #expect(rle.area == 4)
    #expect(rle.boundingBox == RLE.Box(x: 0, y: 0, width: 4, height: 3))
  }

  /// Counts 1,1,1 are written as they are; then 2-1 = 1, 6-1 = 5, 1-2 = -1.
  /// -1 is the 5-bit group 31 with nothing after it: character 48 + 31 = 'O'.
  @Test func compressesByHand() throws {
    let rle = try RLE(height: 3, width: 4, counts: [1, 1, 1, 2, 6, 1])
    #expect(rle.compressed == "11115O")
    #expect(try RLE(compressed: "11115O", height: 3, width: 4) == rle)
  }

  /// 100 = 3 * 32 + 4: groups 4 (with the continuation bit: 48 + 32 + 4 = 'T') then 3 ('3').
  @Test func multiCharacterValues() throws {
    let rle = try RLE(height: 10, width: 11, counts: [100, 10])
    #expect(rle.compressed == "T3:")
  }

  @Test(arguments: pycocotoolsCases) func matchesPycocotools(_ sample: RLECase) throws {
    let rle = try RLE(height: sample.height, width: sample.width, counts: sample.uncompressed)
    #expect(rle.compressed == sample.compressed)
    #expect(try RLE(compressed: sample.compressed, height: sample.height, width: sample.width) == rle)
    #expect(rle.area == sample.area)
    let box = rle.boundingBox
    #expect([box.x, box.y, box.width, box.height] == sample.bbox)
  }

  @Test func casesAreLoaded() {
    #expect(Self.pycocotoolsCases.count == 7)
  }

  @Test func decodedMaskFromEncodedMaskRoundTrips() throws {
    var generator = TestGenerator(state: 7)
    for _ in 0..<50 {
      let height = Int(generator.next() % 9) + 1
      let width = Int(generator.next() % 9) + 1
      let density = generator.next() % 4
      let mask = (0..<(height * width)).map { _ in UInt8(generator.next() % 4 < density ? 1 : 0) }
      let rle = try RLE(mask: mask, height: height, width: width)
      #expect(rle.decoded() == mask)
      #expect(rle.area == mask.reduce(0) { $0 + Int($1) })
      #expect(try RLE(compressed: rle.compressed, height: height, width: width) == rle)
    }
  }

  /// Union and intersection of two 2 x 2 masks by hand.
  @Test func unionAndIntersectionByHand() throws {
    let a = try RLE(mask: [1, 0, 0, 0], height: 2, width: 2)
    let b = try RLE(mask: [1, 1, 0, 0], height: 2, width: 2)
    #expect(try RLE.union([a, b]).decoded() == [1, 1, 0, 0])
    #expect(try RLE.intersection([a, b]).decoded() == [1, 0, 0, 0])
    // Column-major: union is 1 0 | 1 0, i.e. runs 0, 1, 1, 1, 1.
    #expect(try RLE.union([a, b]).counts == [0, 1, 1, 1, 1])
    #expect(try RLE.union([a]) == a)
  }

  @Test func unionOfRandomMasksMatchesPixelwiseOr() throws {
    var generator = TestGenerator(state: 11)
    for _ in 0..<30 {
      let height = Int(generator.next() % 7) + 1
      let width = Int(generator.next() % 7) + 1
      let masks = (0..<3).map { _ in (0..<(height * width)).map { _ in UInt8(generator.next() % 2) } }
      let rles = try masks.map { try RLE(mask: $0, height: height, width: width) }
      let union = (0..<(height * width)).map { i in masks.contains { $0[i] == 1 } ? UInt8(1) : 0 }
      let intersection = (0..<(height * width)).map { i in masks.allSatisfy { $0[i] == 1 } ? UInt8(1) : 0 }
      #expect(try RLE.union(rles).decoded() == union)
      #expect(try RLE.intersection(rles).decoded() == intersection)
      #expect(try RLE.union(rles) == RLE(mask: union, height: height, width: width))
    }
  }

  @Test func emptyMaskHasZeroBox() throws {
    let rle = try RLE(height: 3, width: 5, counts: [15])
    #expect(rle.area == 0)
    #expect(rle.boundingBox == RLE.Box(x: 0, y: 0, width: 0, height: 0))
    // A zero-length foreground run adds nothing (pycocotools 2.0.11 would return wrapped values).
    #expect(
      try RLE(height: 4, width: 3, counts: [12, 0]).boundingBox == RLE.Box(x: 0, y: 0, width: 0, height: 0))
  }

  struct BadString: Sendable, CustomTestStringConvertible {
    var text: String
    var mentions: String
    var testDescription: String { text }
  }

  @Test(arguments: [
    BadString(text: "11115~", mentions: "outside"),  // '~' is beyond 'o'
    BadString(text: "1 1", mentions: "outside"),
    BadString(text: "1111P", mentions: "ends inside"),  // 'P' = 48 + 32: more groups follow
    BadString(text: "1111", mentions: "sum to 5"),  // runs 1, 1, 1, 1 + 1 cover 5 of 12 pixels
    BadString(text: "111N", mentions: "decodes to -1"),  // 'N' is -2, plus the count two back (1)
    BadString(text: "PPPPPPPPPPPPP0", mentions: "longer than 12"),
  ]) func malformedCompressedStrings(_ bad: BadString) throws {
    do {
      _ = try RLE(compressed: bad.text, height: 3, width: 4)
      Issue.record("expected an error for \(bad.text)")
    } catch {
      #expect(error.code == .badMask)
      #expect(error.description.contains(bad.mentions), "\(error)")
    }
  }

  @Test func countsMustCoverTheMask() throws {
    #expect(throws: ReferError.self) { try RLE(height: 3, width: 4, counts: [5, 6]) }
    #expect(throws: ReferError.self) { try RLE(mask: [0, 1], height: 3, width: 4) }
    #expect(throws: ReferError.self) { try RLE(height: -1, width: 4, counts: []) }
    #expect(throws: ReferError.self) { try RLE.union([]) }
    let small = try RLE(height: 1, width: 1, counts: [1])
    let large = try RLE(height: 1, width: 2, counts: [2])
    #expect(throws: ReferError.self) { try RLE.union([small, large]) }
  }
}

/// A small deterministic generator for randomised tests (SplitMix64).
struct TestGenerator {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
