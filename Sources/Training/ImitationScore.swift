import Games
public import Model

/// How often a model answers the expert's action on observations it was not trained on (a
/// held-out gen-game job), against always answering the most frequent training action. The
/// model answers as in `play-game` (`MultiImageModel.answer` with the frames, oldest first)
/// and its answers are parsed as there (`GameAction.parse`).
public struct ImitationScore: Sendable, Equatable {
  public var observations: Int
  public var correct: Int
  public var unparsable: Int
  /// Observations whose expert action is `majorityAction`.
  public var majorityCorrect: Int
  public var majorityAction: Int
  /// How often the model answered each action (unparsable answers not counted).
  public var answered: [Int]

  public var accuracy: Double { Double(correct) / Double(max(observations, 1)) }
  public var majorityAccuracy: Double { Double(majorityCorrect) / Double(max(observations, 1)) }

  /// Scores `model` on up to `limit` observations of `heldOut`, evenly spaced over it.
  /// `majorityAction` is the training data's most frequent action.
  public static func measure(
    _ model: any MultiImageModel, heldOut: GameSource, majorityAction: Int, limit: Int
  ) throws -> ImitationScore {
    let count = min(limit, heldOut.observations.count)
    var score = ImitationScore(
      observations: count, correct: 0, unparsable: 0, majorityCorrect: 0, majorityAction: majorityAction,
      answered: [Int](repeating: 0, count: heldOut.actions.count))
    for i in 0..<count {
      let observation = heldOut.observations[i * heldOut.observations.count / count]
      let answer = try model.answer(
        observation.question, images: observation.frames.map { heldOut.frames[$0] })
      if observation.action == majorityAction { score.majorityCorrect += 1 }
      guard let action = GameAction.parse(answer, actions: heldOut.actions) else {
        score.unparsable += 1
        continue
      }
      score.answered[action] += 1
      if action == observation.action { score.correct += 1 }
    }
    return score
  }
}
