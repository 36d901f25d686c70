import Imaging
import Model
import Refer
import Testing

@Suite struct BaselineModelTests {
  /// A 4x4 grid target with known values.
  static let target: RGBImage = {
    var pixels: [UInt8] = []
    for i in 0..<16 { pixels += [UInt8(i * 10), UInt8(255 - i), UInt8(i % 2 == 0 ? 0 : 100)] }
    return RGBImage(width: 4, height: 4, pixels: pixels)
  }()

  static var image: ModelImage {
    ModelImage(name: "t", encoded: [], rgb: target, grid: 4, target: target)
  }

  /// Reconstructions made together equal each baseline's own, on a photo-like 80 x 60 image.
  @Test func reconstructionsTogetherEqualEachAlone() throws {
    let pixels = (0..<(80 * 60 * 3)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ $0 / 240) }
    let rgb = RGBImage(width: 80, height: 60, pixels: pixels)
    let image = ModelImage(name: "t", encoded: [], rgb: rgb, grid: 16, target: nil)
    let models =
      [BaselineModel(kind: .mean), BaselineModel(kind: .oracle)]
      + [4, 8, 16, 32, 80].map { BaselineModel(kind: .thumbnail(k: $0)) }
    let together = try BaselineModel.reconstructions(of: image, by: models)
    #expect(together.count == models.count)
    for (model, reconstruction) in zip(models, together) {
      #expect(reconstruction == (try model.reconstruction(of: image)), "\(model.uri)")
    }
  }

  @Test func meanAnswersTheRoundedMeanColour() throws {
    // R: 0,10,...,150 -> mean 75; G: 255..240 -> 247.5 -> 248 (half up); B: eight 0 and eight 100 -> 50.
    let answers = try BaselineModel(kind: .mean).answer(
      [.pixel(row: 0, col: 0), .pixel(row: 3, col: 2)], about: Self.image)
    #expect(answers == ["[75,248,50]", "[75,248,50]"])
  }

  @Test func oracleAnswersTheTarget() throws {
    let answers = try BaselineModel(kind: .oracle).answer(
      [.pixel(row: 1, col: 2), .pixel(row: 3, col: 3)], about: Self.image)
    // Cell (1,2) is pixel 6, cell (3,3) is pixel 15.
    #expect(answers == ["[60,249,0]", "[150,240,100]"])
  }

  @Test func thumbnailAtFullSizeIsTheTarget() throws {
    // Down to 4x4 and back up to 4x4 is the identity for a 4x4 source.
    let answers = try BaselineModel(kind: .thumbnail(k: 4)).answer(
      [.pixel(row: 2, col: 1)], about: Self.image)
    #expect(answers == ["[90,246,100]"])
  }

  @Test(arguments: [
    "baseline:median", "baseline:thumbnail?k=0", "baseline:thumbnail?size=8", "baseline:", "mean",
    "native2:x",
  ])
  func badURIsAreRefused(_ uri: String) {
    #expect(throws: ModelError.self) { try ModelFactory.make(uri) }
  }

  /// A 200 x 100 image whose ground-truth box is (50, 10)-(150, 95) and whose 4 x 4 grid mask
  /// is the middle two columns.
  static var referImage: ModelImage {
    ModelImage(
      name: "r", encoded: [],
      rgb: RGBImage(width: 200, height: 100, pixels: [UInt8](repeating: 0, count: 60_000)),
      grid: 4, gridMask: [0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0],
      truthBox: ReferBox(x1: 50, y1: 10, x2: 150, y2: 95))
  }

  static let referQuestions = [
    ModelQuestion(text: TaskFormat.referQuestion(sentence: "s"), task: .refer(sentence: "s")),
    ModelQuestion(text: "", task: .mask(sentence: "s", row: 0, col: 0)),
    ModelQuestion(text: "", task: .mask(sentence: "s", row: 3, col: 2)),
  ]

  @Test func oracleAnswersTheTrueBoxAndGridMask() throws {
    // 50/200*100 = 25, 10/100*100 = 10, 150/200*100 = 75, 95/100*100 = 95.
    let answers = try BaselineModel(kind: .oracle).answer(Self.referQuestions, about: Self.referImage)
    #expect(answers == ["{<25><10><75><95>}", "0", "1"])
  }

  @Test func boxAnswersTheTrueBoxAndOneEverywhere() throws {
    let model = try ModelFactory.make("baseline:box")
    #expect(model.uri == "baseline:box")
    let answers = try model.answer(Self.referQuestions, about: Self.referImage)
    #expect(answers == ["{<25><10><75><95>}", "1", "1"])
    #expect(throws: ModelError.self) { try model.answer([.pixel(row: 0, col: 0)], about: Self.image) }
  }

  @Test func referWithoutATruthBoxIsUnsupported() throws {
    var image = Self.referImage
    image.truthBox = nil
    for kind in [BaselineModel.Kind.oracle, .box, .mean] {
      #expect(throws: ModelError.self) {
        try BaselineModel(kind: kind).answer([Self.referQuestions[0]], about: image)
      }
    }
  }

  @Test func urisRoundTrip() throws {
    #expect(try ModelFactory.make("baseline:thumbnail?k=16").uri == "baseline:thumbnail?k=16")
    #expect(try ModelFactory.make("baseline:mean").uri == "baseline:mean")
  }
}
