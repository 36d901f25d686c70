import Model

/// Several PVP sources mixed by weight (the ratio of images drawn from each), with every
/// image's model input loaded once. Batches are a pure function of (seed, step), so a resumed
/// run sees the same batches as an uninterrupted one.
public final class PVPMixture: @unchecked Sendable {
  public let sources: [PVPSource]
  public let weights: [Double]
  /// Model inputs per source, per image.
  let pixels: [[[Float]]]

  public init(sources: [(PVPSource, weight: Double)], imageSize: Int) throws(TrainingError) {
    guard !sources.isEmpty else { throw TrainingError(.badData, "training data", "no sources") }
    for (source, weight) in sources where !(weight > 0) {
      throw TrainingError(.badOption, source.name, "sampling weight \(weight) must be positive")
    }
    self.sources = sources.map(\.0)
    let total = sources.reduce(0) { $0 + $1.weight }
    weights = sources.map { $0.weight / total }
    var pixels: [[[Float]]] = []
    for (source, _) in sources {
      var images: [[Float]] = []
      for image in source.images { images.append(try ModelInput.pixels(file: image.path, size: imageSize)) }
      pixels.append(images)
    }
    self.pixels = pixels
  }

  /// `images` images, each with `questions` of its questions drawn without replacement (all of
  /// them when it has fewer).
  public func batch(step: Int, images: Int, questions: Int, seed: UInt64) -> [TrainingItem] {
    var random = TrainingRandom(seed: seed, stream: 2, index: UInt64(step))
    var items: [TrainingItem] = []
    for _ in 0..<images {
      var pick = random.unit()
      var s = 0
      while s < weights.count - 1, pick >= weights[s] {
        pick -= weights[s]
        s += 1
      }
      let source = sources[s]
      var index = random.below(source.images.count)
      while source.images[index].answers.isEmpty { index = (index + 1) % source.images.count }
      var answers = source.images[index].answers
      let take = min(questions, answers.count)
      for i in 0..<take { answers.swapAt(i, i + random.below(answers.count - i)) }
      let examples = answers[0..<take].map { answer in
        PromptExample(
          question: TaskFormat.pixelQuestion(
            row: Int(answer.row), col: Int(answer.col), order: source.locOrder),
          answer: TaskFormat.pixelAnswer(r: answer.r, g: answer.g, b: answer.b))
      }
      items.append(TrainingItem(pixels: pixels[s][index], examples: examples))
    }
    return items
  }
}
