import Games
public import Model

/// Who chooses the actions of an episode.
public enum GamePolicy: Sendable {
  /// `baseline:expert`: the environment server's scripted expert.
  case expert
  /// `baseline:random`: uniform actions from a stream seeded by the episode's seed.
  case random
  /// A model that sees the stacked frames and the paper's question.
  case model(any MultiImageModel)

  /// Builds the policy for `uri`; refuses a model that cannot take several images, or whose
  /// context cannot hold `frames` frames and `question`.
  public static func make(_ uri: String, frames: Int, question: String, cached: Bool = false)
    throws(PipelineError) -> GamePolicy
  {
    switch uri {
    case "baseline:expert": return .expert
    case "baseline:random": return .random
    default: break
    }
    let made: any VisionLanguageModel
    do {
      made = cached ? try ModelFactory.model(uri) : try ModelFactory.make(uri)
    } catch {
      throw PipelineError(.badOption, "--model", "\(error)")
    }
    guard let model = made as? any MultiImageModel else {
      throw PipelineError(
        .badOption, "--model",
        "\(uri) cannot take several images in one question (games need \(frames) frames): use baseline:expert, baseline:random, openai:... or native:..."
      )
    }
    do {
      try model.checkFits(images: frames, question: question)
    } catch {
      throw PipelineError(.badOption, "--model", "\(error)")
    }
    return .model(model)
  }

  public var needsExpert: Bool {
    if case .expert = self { return true }
    return false
  }
}
