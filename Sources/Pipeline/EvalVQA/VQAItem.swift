public import Model

/// One question of a VQA benchmark, as its evaluation file gives it.
public struct VQAItem: Sendable, Equatable {
  /// The benchmark's id for it: GQA's question id, IconQA's problem id, VizWiz's image name,
  /// Hateful Memes' id, VSR's line number (its file has no id).
  public var questionID: String
  /// The image's path relative to the image root.
  public var image: String
  /// The benchmark's text: the question, the VSR caption, the meme's text.
  public var question: String
  public var truth: VQATruth
  /// GQA `types.structural`, VizWiz `answer_type`, IconQA `ques_type`, VSR `relation`; or "".
  public var answerType: String

  public init(questionID: String, image: String, question: String, truth: VQATruth, answerType: String) {
    self.questionID = questionID
    self.image = image
    self.question = question
    self.truth = truth
    self.answerType = answerType
  }
}
