import Foundation
import Model
import Testing

@testable import Training

@Suite struct BlockImagesTests {
  /// Every answer is the colour of the image's pixel at the asked cell (read back from the
  /// image itself), in the paper's answer format; batches are a pure function of seed and step.
  @Test func answersAreTheBlockColours() throws {
    let blocks = try BlockImages(blocks: [2, 4, 8], inputSize: 16)
    let items = blocks.batch(step: 3, images: 5, questions: 20, seed: 9)
    #expect(
      items.count == 5 && items.allSatisfy { $0.examples.count == 20 && $0.pixels.count == 3 * 16 * 16 })
    for (index, item) in items.enumerated() {
      let (image, k, colours) = blocks.image(seed: 9, step: 3, index: index)
      #expect([2, 4, 8].contains(k) && colours.count == k * k)
      for example in item.examples {
        let numbers = example.question.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        let (row, col) = (numbers[0], numbers[1])
        let p = (row * 64 + col) * 3
        #expect(
          example.answer == "[\(image.pixels[p]),\(image.pixels[p + 1]),\(image.pixels[p + 2])]")
      }
    }
    #expect(blocks.batch(step: 3, images: 5, questions: 20, seed: 9).map(\.examples) == items.map(\.examples))
    #expect(blocks.batch(step: 4, images: 5, questions: 20, seed: 9).map(\.examples) != items.map(\.examples))
    let twoLevels = try BlockImages(blocks: [2], levels: 2, inputSize: 16)
    let values = Set(twoLevels.image(seed: 1, step: 1, index: 0).image.pixels)
    #expect(values.isSubset(of: [0, 255]))
    #expect(throws: TrainingError.self) { try BlockImages(blocks: [3], inputSize: 16) }
    #expect(throws: TrainingError.self) { try BlockImages(blocks: [2], levels: 1, inputSize: 16) }
  }

  @Test func mixedDataTakesItsShareFromTheExtraSource() throws {
    let a = try BlockImages(blocks: [2], levels: 2, inputSize: 16)
    let b = try BlockImages(blocks: [8], inputSize: 16)
    let mixed = try MixedData(main: a, extra: b, share: 0.25)
    let items = mixed.batch(step: 1, images: 8, questions: 4, seed: 2)
    #expect(items.count == 8)
    #expect(
      items[0..<2].map(\.examples) == b.batch(step: 1, images: 2, questions: 4, seed: 2).map(\.examples))
    #expect(items[2...].map(\.examples) == a.batch(step: 1, images: 6, questions: 4, seed: 2).map(\.examples))
    #expect(throws: TrainingError.self) { try MixedData(main: a, extra: b, share: 1.5) }
  }
}
