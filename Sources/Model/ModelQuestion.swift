/// One question to a model: the exact text the model sees, and what it asks in structured form
/// (baselines and oracles answer from the structure; real models only see the text).
public struct ModelQuestion: Sendable, Equatable {
  public enum Task: Sendable, Equatable {
    /// `[reconstruct] loc: [row,col] rgb: `
    case pixel(row: Int, col: Int)
    /// `[segmentation] sentence loc: [row,col] mask: `
    case mask(sentence: String, row: Int, col: Int)
    /// `[refer] give me the location of sentence`
    case refer(sentence: String)
    /// A VQA benchmark question (eval-vqa). `truth` is what `baseline:oracle` answers, `prior` what
    /// `baseline:prior` answers (the benchmark's most frequent answer); real models see the text.
    case vqa(truth: String, prior: String)
  }

  public var text: String
  public var task: Task

  public init(text: String, task: Task) {
    self.text = text
    self.task = task
  }

  public static func pixel(row: Int, col: Int, order: LocOrder = .yx) -> ModelQuestion {
    ModelQuestion(text: TaskFormat.pixelQuestion(row: row, col: col, order: order), task: .pixel(row: row, col: col))
  }
}
