import Foundation
public import Model

/// Reads a VQA benchmark's evaluation file in the layout its authors distribute (docs/eval-vqa.md):
///
/// - GQA `testdev_balanced_questions.json`: an object, question id -> `imageId`, `question`,
///   `answer` (`types.structural` as the answer type); the image is `<imageId>.jpg`. Questions in
///   id order (a JSON object has no order).
/// - VSR zero-shot split, JSON Lines: `image`, `caption`, `label` (1/0 or true/false); `relation`.
/// - IconQA `problems.json`: an object, problem id -> `question`, `choices`, `answer` (0-based),
///   `ques_type`, `split`; the `test` split's `choose_txt` problems (when those keys are present);
///   the image is `<problem id>/image.png`.
/// - VizWiz `val.json`: an array of `image`, `question`, ten `answers` (`answer`), `answer_type`.
/// - Hateful Memes `dev.jsonl`: `id`, `img`, `text`, `label` (1 hateful / 0).
///
/// Every malformed entry is an error naming the file and the question.
public struct VQADataset: Sendable {
  public var benchmark: VQABenchmark
  public var path: String
  public var items: [VQAItem]

  public init(benchmark: VQABenchmark, path: String, items: [VQAItem]) {
    self.benchmark = benchmark
    self.path = path
    self.items = items
  }

  public static func load(_ benchmark: VQABenchmark, path: String) throws(PipelineError) -> VQADataset {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PipelineError(.missingInput, path, "cannot be read")
    }
    let reader = EntryReader(path: path)
    let items: [VQAItem]
    switch benchmark {
    case .gqa: items = try reader.gqa(try reader.object(data))
    case .iconvqa: items = try reader.iconqa(try reader.object(data))
    case .vizwiz: items = try reader.vizwiz(try reader.array(data))
    case .vsr: items = try reader.vsr(try reader.lines(data))
    case .hm: items = try reader.hatefulMemes(try reader.lines(data))
    }
    guard !items.isEmpty else {
      throw PipelineError(.emptyCorpus, path, "holds no \(benchmark.title) questions")
    }
    return VQADataset(benchmark: benchmark, path: path, items: items)
  }

  /// What `baseline:prior` answers to every question: the most frequent answer of the file
  /// (VizWiz: over every annotator's normalised answer; IconQA: the letter of the most frequent
  /// correct choice), "true" for VSR and "yes" for Hateful Memes. Ties go to the earliest.
  public var prior: String {
    switch benchmark {
    case .vsr: return "true"
    case .hm: return "yes"
    case .gqa: return VQAScoring.mostFrequent(items.map { ($0.truth.answers.first ?? "").lowercased() }) ?? ""
    case .vizwiz:
      return VQAScoring.mostFrequent(items.flatMap { $0.truth.answers.map(VQANormalizer.normalize) }) ?? ""
    case .iconvqa:
      let indices = items.compactMap { $0.truth.answerIndex.map(String.init) }
      return VQAScoring.mostFrequent(indices).flatMap(Int.init).map(VQABenchmark.letter) ?? "A"
    }
  }
}

/// Typed access to one file's entries, with errors that name the file and the entry.
struct EntryReader {
  let path: String

  func fail(_ entry: String, _ detail: String) -> PipelineError {
    PipelineError(.badCorpus, path, "\(entry): \(detail)")
  }

  func json(_ data: Data, entry: String) throws(PipelineError) -> Any {
    do {
      return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    } catch {
      throw fail(entry, "is not valid JSON (\((error as NSError).localizedDescription))")
    }
  }

  func object(_ data: Data) throws(PipelineError) -> [String: Any] {
    guard let object = try json(data, entry: "the file") as? [String: Any] else {
      throw fail("the file", "must be a JSON object of question id -> question")
    }
    return object
  }

  func array(_ data: Data) throws(PipelineError) -> [Any] {
    guard let array = try json(data, entry: "the file") as? [Any] else {
      throw fail("the file", "must be a JSON array of questions")
    }
    return array
  }

  /// JSON Lines: (line number, object) for every non-blank line.
  func lines(_ data: Data) throws(PipelineError) -> [(Int, [String: Any])] {
    var result: [(Int, [String: Any])] = []
    for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
      .enumerated()
    {
      guard line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { continue }
      guard let object = try json(Data(line), entry: "line \(index + 1)") as? [String: Any] else {
        throw fail("line \(index + 1)", "is not a JSON object")
      }
      result.append((index + 1, object))
    }
    return result
  }

  func entry(_ value: Any, _ name: String) throws(PipelineError) -> [String: Any] {
    guard let object = value as? [String: Any] else { throw fail(name, "is not a JSON object") }
    return object
  }

  func string(_ object: [String: Any], _ key: String, _ entry: String) throws(PipelineError) -> String {
    guard let value = object[key] else { throw fail(entry, "has no \"\(key)\"") }
    guard let text = value as? String else { throw fail(entry, "\"\(key)\" must be a string") }
    return text
  }

  func optionalString(_ object: [String: Any], _ key: String) -> String? { object[key] as? String }

  /// An integer that JSON gives as a number (not a boolean, not a fraction).
  func int(_ object: [String: Any], _ key: String, _ entry: String) throws(PipelineError) -> Int {
    guard let value = object[key] else { throw fail(entry, "has no \"\(key)\"") }
    guard let number = value as? NSNumber, !isBoolean(number),
      let exact = Int(exactly: number.doubleValue)
    else { throw fail(entry, "\"\(key)\" must be an integer") }
    return exact
  }

  /// A 0/1 label given as a number or a boolean.
  func label(_ object: [String: Any], _ key: String, _ entry: String) throws(PipelineError) -> Bool {
    guard let value = object[key] else { throw fail(entry, "has no \"\(key)\"") }
    if let number = value as? NSNumber {
      if isBoolean(number) { return number.boolValue }
      if number.doubleValue == 1 { return true }
      if number.doubleValue == 0 { return false }
    }
    throw fail(entry, "\"\(key)\" must be 0, 1, true or false")
  }

  /// JSON's true and false arrive as NSNumbers too; their type code is a char's.
  func isBoolean(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }

  func gqa(_ file: [String: Any]) throws(PipelineError) -> [VQAItem] {
    var items: [VQAItem] = []
    for id in file.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
      let name = "question \(id)"
      let object = try entry(file[id]!, name)
      let types = object["types"] as? [String: Any]
      items.append(
        VQAItem(
          questionID: id, image: try string(object, "imageId", name) + ".jpg",
          question: try string(object, "question", name),
          truth: VQATruth(answers: [try string(object, "answer", name)]),
          answerType: types?["structural"] as? String ?? ""))
    }
    return items
  }

  func iconqa(_ file: [String: Any]) throws(PipelineError) -> [VQAItem] {
    var items: [VQAItem] = []
    for id in file.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
      let name = "problem \(id)"
      let object = try entry(file[id]!, name)
      if let split = optionalString(object, "split"), split != "test" { continue }
      if let type = optionalString(object, "ques_type"), type != "choose_txt" { continue }
      guard let choices = object["choices"] as? [Any] else {
        throw fail(name, object["choices"] == nil ? "has no \"choices\"" : "\"choices\" must be an array")
      }
      let texts = try choices.map { value throws(PipelineError) -> String in
        guard let text = value as? String else { throw fail(name, "every choice must be a string") }
        return text
      }
      let answer = try int(object, "answer", name)
      guard texts.indices.contains(answer) else {
        throw fail(name, "\"answer\" \(answer) is not the index of one of its \(texts.count) choices")
      }
      items.append(
        VQAItem(
          questionID: id, image: id + "/image.png", question: try string(object, "question", name),
          truth: VQATruth(answers: [texts[answer]], choices: texts, answerIndex: answer),
          answerType: optionalString(object, "ques_type") ?? ""))
    }
    return items
  }

  func vizwiz(_ file: [Any]) throws(PipelineError) -> [VQAItem] {
    var items: [VQAItem] = []
    for (index, value) in file.enumerated() {
      let object = try entry(value, "entry \(index)")
      let image = try string(object, "image", "entry \(index)")
      let name = "question \(image)"
      guard let answers = object["answers"] as? [Any], !answers.isEmpty else {
        throw fail(name, "\"answers\" must be a non-empty array")
      }
      let texts = try answers.map { value throws(PipelineError) -> String in
        guard let answer = value as? [String: Any], let text = answer["answer"] as? String else {
          throw fail(name, "every answer must be an object with a string \"answer\"")
        }
        return text
      }
      items.append(
        VQAItem(
          questionID: image, image: image, question: try string(object, "question", name),
          truth: VQATruth(answers: texts), answerType: optionalString(object, "answer_type") ?? ""))
    }
    return items
  }

  func vsr(_ lines: [(Int, [String: Any])]) throws(PipelineError) -> [VQAItem] {
    try lines.map { (line, object) throws(PipelineError) -> VQAItem in
      let name = "line \(line)"
      return VQAItem(
        questionID: String(line), image: try string(object, "image", name),
        question: try string(object, "caption", name),
        truth: VQATruth(answers: [try label(object, "label", name) ? "true" : "false"]),
        answerType: optionalString(object, "relation") ?? "")
    }
  }

  func hatefulMemes(_ lines: [(Int, [String: Any])]) throws(PipelineError) -> [VQAItem] {
    try lines.map { (line, object) throws(PipelineError) -> VQAItem in
      let id: String
      if let text = object["id"] as? String {
        id = text
      } else {
        id = String(try int(object, "id", "line \(line)"))
      }
      let name = "meme \(id)"
      let hateful = try label(object, "label", name)
      return VQAItem(
        questionID: id, image: try string(object, "img", name), question: try string(object, "text", name),
        truth: VQATruth(answers: [hateful ? "yes" : "no"]), answerType: hateful ? "hateful" : "not hateful")
    }
  }
}
