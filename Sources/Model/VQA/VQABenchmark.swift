/// The paper's VQA columns (Tables 2, 5 and 8), with the prompts of MiniGPT-v2's released
/// evaluation (`minigpt4/datasets/datasets/vqa_datasets.py`).
public enum VQABenchmark: String, Sendable, CaseIterable, Codable {
  case gqa, vsr, iconvqa, vizwiz, hm

  /// The column name in the paper's tables.
  public var title: String {
    switch self {
    case .gqa: "GQA"
    case .vsr: "VSR"
    case .iconvqa: "IconVQA"
    case .vizwiz: "VizWiz"
    case .hm: "HM"
    }
  }

  /// The answers a binary benchmark accepts (after normalisation), the positive one first.
  public var binaryAnswers: (positive: String, negative: String)? {
    switch self {
    case .vsr: ("true", "false")
    case .hm: ("yes", "no")
    case .gqa, .iconvqa, .vizwiz: nil
    }
  }

  /// The question text the model sees. `question` is the benchmark's own text: GQA, IconQA and
  /// VizWiz questions, the VSR caption, the Hateful Memes meme text.
  ///
  /// MiniGPT-v2 scores IconQA by ranking the candidate answers by likelihood, which a chat server
  /// cannot do; here the candidates follow the question as lettered options and the generated
  /// answer is matched to one of them (`VQAScoring.choice`).
  public func prompt(question: String, choices: [String] = []) -> String {
    switch self {
    case .gqa:
      return "[vqa] Based on the image, respond to this question with a short answer: \(question)"
    case .iconvqa:
      let options = choices.enumerated().map { "(\(Self.letter($0.offset))) \($0.element)" }
      return "[vqa] Based on the image, respond to this question with a short answer: \(question)"
        + (options.isEmpty ? "" : " Options: " + options.joined(separator: " "))
    case .vizwiz:
      return
        "[vqa] The question is '\(question)' Based on the image, answer the question with a single word or phrase. and reply 'unanswerable' when the provided information is insufficient"
    case .vsr:
      return "[vqa] Based on the image, is this statement true or false? \(question)"
    case .hm:
      // Verbatim, spelling included: the reference's prompt has no task identifier.
      return "This is an image writting '\(question)'. Is this image hateful? Answer yes or no. Answer:"
    }
  }

  /// "A", "B", ... for option `index` (IconQA has at most 5 choices; past Z, "AA", "AB", ...).
  public static func letter(_ index: Int) -> String {
    let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return index < 26 ? String(letters[index]) : letter(index / 26 - 1) + String(letters[index % 26])
  }
}
