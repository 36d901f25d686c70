/// The paper's question and answer texts, in one place.
///
/// Every backend and every exporter builds its prompts here, so the bytes a model sees are the same
/// everywhere (tests check them byte for byte).
public enum TaskFormat {
  /// `[reconstruct] loc: [{row},{col}] rgb: ` (note the trailing space).
  public static func pixelQuestion(row: Int, col: Int, order: LocOrder = .yx) -> String {
    let (a, b) = order.ordered(row: row, col: col)
    return "[reconstruct] loc: [\(a),\(b)] rgb: "
  }

  /// `[r,g,b]`, no spaces.
  public static func pixelAnswer(r: UInt8, g: UInt8, b: UInt8) -> String {
    "[\(r),\(g),\(b)]"
  }

  /// `[segmentation] {sentence} loc: [{row},{col}] mask: `
  public static func segmentationQuestion(
    sentence: String, row: Int, col: Int, order: LocOrder = .yx
  ) -> String {
    let (a, b) = order.ordered(row: row, col: col)
    return "[segmentation] \(sentence) loc: [\(a),\(b)] mask: "
  }

  /// MiniGPT-v2's referring expression comprehension question.
  public static func referQuestion(sentence: String) -> String {
    "[refer] give me the location of \(sentence)"
  }

  /// MiniGPT-v2's dataset-side instruction: the image placeholder before the question.
  public static func minigptInstruction(_ question: String) -> String {
    "<Img><ImageHere></Img> \(question)"
  }

  /// MiniGPT-v2's full prompt around one question.
  public static func minigptPrompt(_ question: String) -> String {
    "[INST] \(minigptInstruction(question)) [/INST]"
  }
}
