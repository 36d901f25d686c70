public import Model
import Queue

/// One model call for a shard, its failures turned into shard verdicts: transport trouble,
/// server errors and timeouts are retried, anything else (an unsupported task, a bad response,
/// the wrong number of answers) fails the shard for good.
public enum ModelCall {
  public static func answers(
    _ questions: [ModelQuestion], model: any VisionLanguageModel, image: ModelImage, context: String
  ) throws -> [String] {
    let answers: [String]
    do {
      answers = try model.answer(questions, about: image)
    } catch let error as ModelError {
      throw ShardFailure(
        retryable: error.isTransient,
        code: "model-\(error.code.rawValue)", message: "\(context): \(error)")
    }
    guard answers.count == questions.count else {
      throw ShardFailure(
        retryable: false, code: "model-answers",
        message: "\(context): \(model.uri) gave \(answers.count) answers to \(questions.count) questions")
    }
    return answers
  }
}
