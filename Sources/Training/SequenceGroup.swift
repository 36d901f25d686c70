import Model

/// A question and its answer about one image, in the paper's text formats.
public struct PromptExample: Sendable, Equatable, Hashable {
  public var question: String
  public var answer: String
  public init(question: String, answer: String) {
    self.question = question
    self.answer = answer
  }
}

/// The teacher-forced token layout of several questions about one image (or one stack of frames),
/// exactly as the decoder sees them (`BOS [INST] <Img> visual </Img> question [/INST] answer EOS`;
/// with frames `BOS [INST] <Img> visual </Img><Img> visual </Img> ...`): the prefix and
/// the question tokens every question shares form the shared rows; each question's remaining
/// prompt tokens and its answer bytes (EOS is predicted, never fed) form its suffix, padded with
/// PAD to the longest suffix. Loss rows are those whose next token is an answer byte or EOS.
struct SequenceGroup: Sendable {
  /// Images in the prefix, each with its visual tokens (1 for PVP, 2 or 4 game frames).
  let frames: Int
  /// Question tokens shared by every example, after the image prefix.
  let sharedTokens: [Int]
  /// Input tokens per example, each `suffixLength` long (PAD after the real ones).
  let suffixes: [[Int]]
  let suffixLength: Int
  /// Rows (counted over shared then suffix rows) whose logits are scored, with their targets.
  let lossRows: [Int]
  let targets: [Int]
  let shape: AttentionShape
  /// Per example, its coordinate with `start` counted in its suffix (nil without coordinate
  /// embeddings or without a `[row,col]`).
  let coordinates: [NativeCoordinate?]

  init(_ examples: [PromptExample], frames: Int = 1, config: NativeModelConfig) throws(TrainingError) {
    guard !examples.isEmpty else { throw TrainingError(.badData, "sequence group", "no examples") }
    guard frames > 0 else { throw TrainingError(.badData, "sequence group", "no frames") }
    self.frames = frames
    let prompts = examples.map { NativePrompt.questionTokens($0.question) }
    let answers = examples.map { NativeVocabulary.encode($0.answer) + [NativeVocabulary.eos] }
    // Shared question tokens, as the decoder shares them: every suffix keeps at least one
    // prompt token, so a loss row is always a suffix row, and the shared head stops before any
    // coordinate embedding starts.
    let parsed = prompts.map { NativeCoordinate.parse($0, range: config.coordinateRange) }
    let common = NativeVLM.sharedHead(prompts, limit: parsed.compactMap { $0?.start }.min() ?? .max)
    let shared = config.prefixLength(frames: frames) + common
    var inputs: [[Int]] = []
    var lossRows: [Int] = []
    var targets: [Int] = []
    let length = zip(prompts, answers).map { $0.count - common + $1.count - 1 }.max()!
    guard shared + length <= config.maxPositions else {
      throw TrainingError(
        .tooLong, "sequence group",
        "\(shared + length) positions needed, the model has \(config.maxPositions)")
    }
    for (j, (prompt, answer)) in zip(prompts, answers).enumerated() {
      let full = Array(prompt[common...]) + answer
      var input = Array(full.dropLast())
      let promptPart = prompt.count - common
      for t in (promptPart - 1)..<(full.count - 1) {
        lossRows.append(shared + j * length + t)
        targets.append(full[t + 1])
      }
      input += [Int](repeating: NativeVocabulary.pad, count: length - input.count)
      inputs.append(input)
    }
    sharedTokens = Array(prompts[0][0..<common])
    coordinates = parsed.map { $0?.dropping(common) }
    suffixes = inputs
    suffixLength = length
    self.lossRows = lossRows
    self.targets = targets
    shape = AttentionShape(shared: shared, groups: examples.count, suffix: length, causal: true)
  }

  /// Answer tokens scored (answer bytes plus EOS of every example).
  var answerTokens: Int { targets.count }
}
