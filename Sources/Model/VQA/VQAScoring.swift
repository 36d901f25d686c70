import Foundation

/// The scoring rules of the VQA benchmarks, each defined once (docs/eval-vqa.md).
///
/// Every rule scores twice: `score` compares normalised answers (`VQANormalizer`, the official
/// VQA evaluation's normalisation), `exactScore` follows MiniGPT-v2's `eval_vqa.py` literally
/// (lower-cased equality). Both see the prediction as MiniGPT-v2 keeps it (`<unk>` removed,
/// trimmed).
public enum VQAScoring {
  /// MiniGPT-v2's clean-up of a generated answer.
  public static func cleaned(_ raw: String) -> String {
    VQANormalizer.trimmed(raw.replacingOccurrences(of: "<unk>", with: ""))
  }

  public static func score(_ raw: String, benchmark: VQABenchmark, truth: VQATruth) -> VQAScore {
    let prediction = cleaned(raw)
    let normalized = VQANormalizer.normalize(prediction)
    let lowered = prediction.lowercased()
    switch benchmark {
    case .gqa:
      let answer = truth.answers.first ?? ""
      return VQAScore(
        prediction: prediction, normalized: normalized,
        score: normalized == VQANormalizer.normalize(answer) ? 1 : 0,
        exactScore: lowered == answer.lowercased() ? 1 : 0, unparsable: prediction.isEmpty)
    case .vizwiz:
      return VQAScore(
        prediction: prediction, normalized: normalized,
        score: vizwiz(normalized, truth.answers.map(VQANormalizer.normalize)),
        exactScore: vizwiz(lowered, truth.answers.map { $0.lowercased() }),
        unparsable: prediction.isEmpty)
    case .vsr, .hm:
      let (positive, negative) = benchmark.binaryAnswers!
      let answer = (truth.answers.first ?? "").lowercased()
      let accepted = normalized == positive || normalized == negative
      return VQAScore(
        prediction: prediction, normalized: normalized,
        score: accepted && normalized == answer ? 1 : 0,
        exactScore: lowered == answer ? 1 : 0, unparsable: !accepted)
    case .iconvqa:
      let chosen = choice(prediction, choices: truth.choices)
      let exact = truth.choices.firstIndex { $0.lowercased() == lowered }
      return VQAScore(
        prediction: prediction, normalized: chosen.map(VQABenchmark.letter) ?? "",
        score: chosen != nil && chosen == truth.answerIndex ? 1 : 0,
        exactScore: exact != nil && exact == truth.answerIndex ? 1 : 0, unparsable: chosen == nil)
    }
  }

  /// VizWiz in MiniGPT-v2: min(annotators who gave the answer / 3, 1). An "unanswerable" answer
  /// scores like any other: by the annotators who said "unanswerable".
  public static func vizwiz(_ answer: String, _ annotators: [String]) -> Double {
    min(Double(annotators.filter { $0 == answer }.count) / 3, 1)
  }

  /// IconQA: which choice an answer names (0-based), or nil. In order: the text of a choice
  /// (normalised on both sides, so "Two." picks "2"); then an option letter in either case, alone
  /// or as "(B)", "B." or "B)"; then a number naming the 0-based index, as the file's `answer`
  /// field counts (a number that is a choice's text was matched as text first).
  public static func choice(_ answer: String, choices: [String]) -> Int? {
    let normalized = VQANormalizer.normalize(answer)
    if !normalized.isEmpty,
      let index = choices.firstIndex(where: { VQANormalizer.normalize($0) == normalized })
    {
      return index
    }
    var core = Substring(VQANormalizer.trimmed(answer))
    if core.hasPrefix("("), core.hasSuffix(")") { core = core.dropFirst().dropLast() }
    while let last = core.last, last == "." || last == ")" || last == ":" { core.removeLast() }
    if core.count == 1, let character = core.first, character.isLetter,
      let index = choices.indices.first(where: { VQABenchmark.letter($0) == character.uppercased() })
    {
      return index
    }
    if let number = Int(core), choices.indices.contains(number) { return number }
    return nil
  }

  /// What `baseline:oracle` answers: the truth as the model should say it (VizWiz: the answer most
  /// annotators gave, the earliest on a tie; its score is the benchmark's ceiling).
  public static func oracleAnswer(benchmark: VQABenchmark, truth: VQATruth) -> String {
    switch benchmark {
    case .vizwiz:
      return mostFrequent(truth.answers) ?? ""
    case .iconvqa:
      return truth.answerIndex.flatMap { truth.choices.indices.contains($0) ? truth.choices[$0] : nil } ?? ""
    case .gqa, .vsr, .hm:
      return truth.answers.first ?? ""
    }
  }

  /// The most frequent string, the earliest seen on a tie; nil for none.
  public static func mostFrequent(_ values: [String]) -> String? {
    var counts: [String: Int] = [:]
    var order: [String] = []
    for value in values {
      if counts[value] == nil { order.append(value) }
      counts[value, default: 0] += 1
    }
    var best: String?
    var bestCount = 0
    for value in order where counts[value]! > bestCount {
      best = value
      bestCount = counts[value]!
    }
    return best
  }
}
