public import Imaging
import Model
public import Shards

/// Synthetic PVP images where only position predicts the answer: a `grid x grid` image cut into
/// `k x k` blocks of random colours (k drawn per image from `blocks`), asked about random cells
/// with the block's colour as the answer, in the paper's formats. The mean colour is useless
/// here, so a model that answers well has learnt to find the cell its coordinate names. The
/// curriculum and LM-pretraining stand-in of `ops/experiment.sh`; batches are a pure function of
/// (seed, step).
public struct BlockImages: TrainingData {
  /// Blocks per side, one drawn per image (e.g. `[2, 4, 8]`: coarse to fine).
  public var blocks: [Int]
  /// Levels per channel, evenly spaced over 0...255 (0: any of the 256 values).
  public var levels: Int
  /// Side of the PVP grid (64) and of the image.
  public var grid: Int
  /// Side of the model's input.
  public var inputSize: Int

  public init(blocks: [Int], levels: Int = 0, grid: Int = 64, inputSize: Int)
    throws(TrainingError)
  {
    guard !blocks.isEmpty, blocks.allSatisfy({ $0 > 0 && grid % $0 == 0 }) else {
      throw TrainingError(
        .badOption, "blocks", "\(blocks) must be non-empty divisors of the \(grid)-cell grid")
    }
    guard levels == 0 || (2...256).contains(levels) else {
      throw TrainingError(.badOption, "levels", "\(levels) must be 0 or 2...256")
    }
    self.blocks = blocks
    self.levels = levels
    self.grid = grid
    self.inputSize = inputSize
  }

  /// Image `index` of the stream `seed` and its block colours (row-major, `k x k`).
  public func image(seed: UInt64, step: Int, index: Int) -> (image: RGBImage, k: Int, colours: [RGBColour]) {
    var random = TrainingRandom(seed: seed, stream: 5, index: UInt64(step) << 16 | UInt64(index))
    let k = blocks[random.below(blocks.count)]
    let colours = (0..<(k * k)).map { _ in
      RGBColour(r: level(&random), g: level(&random), b: level(&random))
    }
    let cell = grid / k
    var pixels = [UInt8](repeating: 0, count: grid * grid * 3)
    for y in 0..<grid {
      for x in 0..<grid {
        let colour = colours[(y / cell) * k + x / cell]
        pixels[(y * grid + x) * 3] = colour.r
        pixels[(y * grid + x) * 3 + 1] = colour.g
        pixels[(y * grid + x) * 3 + 2] = colour.b
      }
    }
    return (RGBImage(width: grid, height: grid, pixels: pixels), k, colours)
  }

  private func level(_ random: inout TrainingRandom) -> UInt8 {
    guard levels > 0 else { return UInt8(random.below(256)) }
    return UInt8((random.below(levels) * 255) / (levels - 1))
  }

  public func batch(step: Int, images: Int, questions: Int, seed: UInt64) -> [TrainingItem] {
    (0..<images).map { index in
      let (image, k, colours) = self.image(seed: seed, step: step, index: index)
      var random = TrainingRandom(seed: seed, stream: 6, index: UInt64(step) << 16 | UInt64(index))
      let cell = grid / k
      let examples = (0..<questions).map { _ in
        let (row, col) = (random.below(grid), random.below(grid))
        let colour = colours[(row / cell) * k + col / cell]
        return PromptExample(
          question: TaskFormat.pixelQuestion(row: row, col: col, order: .yx),
          answer: TaskFormat.pixelAnswer(r: colour.r, g: colour.g, b: colour.b))
      }
      return TrainingItem(pixels: ModelInput.pixels(image, size: inputSize), examples: examples)
    }
  }
}

/// Two training sources in one batch: the first `round(images * share)` images of every step
/// from `extra`, the rest from `main` (a pure function of seed and step, as each source is).
public struct MixedData<Main: TrainingData, Extra: TrainingData>: TrainingData {
  public var main: Main
  public var extra: Extra
  public var share: Double

  public init(main: Main, extra: Extra, share: Double) throws(TrainingError) {
    guard (0...1).contains(share) else {
      throw TrainingError(.badOption, "share", "\(share) must be within 0...1")
    }
    self.main = main
    self.extra = extra
    self.share = share
  }

  public func batch(step: Int, images: Int, questions: Int, seed: UInt64) -> [TrainingItem] {
    let fromExtra = Int((Double(images) * share).rounded())
    var items: [TrainingItem] = []
    if fromExtra > 0 { items += extra.batch(step: step, images: fromExtra, questions: questions, seed: seed) }
    if images > fromExtra {
      items += main.batch(step: step, images: images - fromExtra, questions: questions, seed: seed)
    }
    return items
  }
}
