/// What a VQA question is scored against.
public struct VQATruth: Sendable, Equatable {
  /// GQA: the answer. VizWiz: the ten annotators' answers. VSR: "true" or "false". Hateful
  /// Memes: "yes" (hateful) or "no". IconQA: the correct choice's text.
  public var answers: [String]
  /// IconQA's candidate answers, in the file's order; empty elsewhere.
  public var choices: [String]
  /// IconQA's correct choice (0-based, as the file's `answer`); nil elsewhere.
  public var answerIndex: Int?

  public init(answers: [String], choices: [String] = [], answerIndex: Int? = nil) {
    self.answers = answers
    self.choices = choices
    self.answerIndex = answerIndex
  }
}

/// One scored answer.
public struct VQAScore: Sendable, Equatable {
  /// The answer as MiniGPT-v2 keeps it: `<unk>` removed, trimmed.
  public var prediction: String
  /// `VQANormalizer.normalize(prediction)`; for IconQA the matched choice's letter, if any.
  public var normalized: String
  /// The headline score in 0...1, on normalised answers.
  public var score: Double
  /// MiniGPT-v2's own rule, on lower-cased answers without normalisation.
  public var exactScore: Double
  /// Empty, or (binary benchmarks, IconQA) not one of the accepted answers.
  public var unparsable: Bool

  public init(prediction: String, normalized: String, score: Double, exactScore: Double, unparsable: Bool) {
    self.prediction = prediction
    self.normalized = normalized
    self.score = score
    self.exactScore = exactScore
    self.unparsable = unparsable
  }
}
