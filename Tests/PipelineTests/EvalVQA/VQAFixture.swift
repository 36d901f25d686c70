import Foundation

/// The eval-vqa fixtures of data/vqa (made by its make_fixtures.py), and figures computed from
/// their files here with plain counting, without the code under test.
enum VQAFixture {
  static var root: String { TestEnvironment.repositoryRoot + "/data/vqa" }

  /// (benchmark, --data, --image-root) per benchmark.
  static var benchmarks: [(name: String, data: String, images: String)] {
    [
      ("gqa", root + "/gqa/testdev_balanced_questions.json", TestEnvironment.photos),
      ("vsr", root + "/vsr/test.jsonl", TestEnvironment.photos),
      ("iconvqa", root + "/iconqa/problems.json", root + "/iconqa/test/choose_txt"),
      ("vizwiz", root + "/vizwiz/val.json", TestEnvironment.photos),
      ("hm", root + "/hm/dev.jsonl", TestEnvironment.photos),
    ]
  }

  static func json(_ path: String) -> Any? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return try? JSONSerialization.jsonObject(with: data)
  }

  static func lines(_ path: String) -> [[String: Any]] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
  }

  /// The questions a benchmark's reader must keep.
  static func questionCount(_ name: String) -> Int {
    switch name {
    case "gqa": return (json(root + "/gqa/testdev_balanced_questions.json") as? [String: Any])?.count ?? 0
    case "vsr": return lines(root + "/vsr/test.jsonl").count
    case "hm": return lines(root + "/hm/dev.jsonl").count
    case "vizwiz": return (json(root + "/vizwiz/val.json") as? [Any])?.count ?? 0
    default:
      let problems = json(root + "/iconqa/problems.json") as? [String: [String: Any]] ?? [:]
      return problems.values.filter {
        $0["split"] as? String == "test" && $0["ques_type"] as? String == "choose_txt"
      }
      .count
    }
  }

  /// Accuracy % of always answering the benchmark's prior, counted from the file: GQA's most
  /// frequent answer, VSR "true", HM "yes", IconQA the most frequent correct index, VizWiz the
  /// most frequent annotator answer with min(n/3, 1) credit.
  static func priorAccuracy(_ name: String) -> Double {
    func mostFrequent(_ values: [String]) -> String {
      var counts: [String: Int] = [:]
      for value in values { counts[value, default: 0] += 1 }
      return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? ""
    }
    switch name {
    case "gqa":
      let answers = (json(root + "/gqa/testdev_balanced_questions.json") as? [String: [String: Any]] ?? [:])
        .values.map { $0["answer"] as? String ?? "" }
      let prior = mostFrequent(answers)
      return 100 * Double(answers.filter { $0 == prior }.count) / Double(answers.count)
    case "vsr":
      let labels = lines(root + "/vsr/test.jsonl").map { $0["label"] as? Int ?? -1 }
      return 100 * Double(labels.filter { $0 == 1 }.count) / Double(labels.count)
    case "hm":
      let labels = lines(root + "/hm/dev.jsonl").map { $0["label"] as? Int ?? -1 }
      return 100 * Double(labels.filter { $0 == 1 }.count) / Double(labels.count)
    case "vizwiz":
      let entries = json(root + "/vizwiz/val.json") as? [[String: Any]] ?? []
      let answers = entries.map {
        ($0["answers"] as? [[String: Any]] ?? []).map { $0["answer"] as? String ?? "" }
      }
      let prior = mostFrequent(answers.flatMap { $0 })
      let credit = answers.map { min(Double($0.filter { $0 == prior }.count) / 3, 1) }
      return 100 * credit.reduce(0, +) / Double(credit.count)
    default:
      let problems = (json(root + "/iconqa/problems.json") as? [String: [String: Any]] ?? [:]).values
        .filter { $0["split"] as? String == "test" && $0["ques_type"] as? String == "choose_txt" }
      let indices = problems.map { String($0["answer"] as? Int ?? -1) }
      let prior = mostFrequent(indices)
      return 100 * Double(indices.filter { $0 == prior }.count) / Double(indices.count)
    }
  }
}
