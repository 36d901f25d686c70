import Imaging
import Model
import Testing

@Suite struct NativeModelBackendTests {
  static func image() -> ModelImage {
    var pixels: [UInt8] = []
    for y in 0..<40 { for x in 0..<30 { pixels += [UInt8(x * 8), UInt8(y * 6), UInt8((x + y) % 256)] } }
    let rgb = RGBImage(width: 30, height: 40, pixels: pixels)
    return ModelImage(name: "gradient", encoded: [], rgb: rgb, grid: 64)
  }

  @Test func answersInBatchesAsTheModelDoesDirectly() throws {
    let model = try #require(
      try ModelFactory.make("native:random?seed=3&size=micro&batch=3&max_tokens=6") as? NativeModel)
    let questions = (0..<7).map { ModelQuestion.pixel(row: $0 * 9, col: 63 - $0) }
    let answers = try model.answer(questions, about: Self.image())
    // The same questions in one batch, straight through the model.
    let prefix = try model.vlm.encodeImage(model.pixels(Self.image().rgb))
    let direct = try model.vlm.answer(prefix: prefix, questions: questions.map(\.text), maxNewTokens: 6)
    #expect(answers == direct)
    #expect(answers.count == 7)
  }

  @Test func pixelsAreCLIPNormalisedChannelMajor() throws {
    let model = try #require(try ModelFactory.make("native:random?size=micro") as? NativeModel)
    let size = model.vlm.config.imageSize
    let flat = RGBImage(
      width: size, height: size, pixels: [UInt8](repeating: 255, count: size * size * 3))
    let pixels = model.pixels(flat)
    #expect(pixels.count == 3 * size * size)
    // (1 - mean) / std per channel, by hand.
    #expect(abs(pixels[0] - (1 - 0.48145466) / 0.26862954) < 1e-5)
    #expect(abs(pixels[size * size] - (1 - 0.4578275) / 0.26130258) < 1e-5)
    #expect(abs(pixels[2 * size * size] - (1 - 0.40821073) / 0.27577711) < 1e-5)
  }

  @Test(arguments: [
    "native:random?size=huge", "native:random?seed=-1", "native:/nonexistent/w.safetensors",
    "native:random?size=micro&temperature=2",
  ])
  func badURIsAreRefused(_ uri: String) {
    #expect(throws: ModelError.self) { try ModelFactory.make(uri) }
  }
}
