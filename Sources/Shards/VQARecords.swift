extension RecordKind {
  /// eval-vqa input: one record per image of the shard, with the questions asked about it.
  public static let vqaInput = RecordKind("VQAI")
  /// eval-vqa output: one record per image, the raw answer to each of its questions.
  public static let vqaOutput = RecordKind("VQAO")
}

/// One question of an eval-vqa input record.
public struct VQAQuestionInput: Equatable, Sendable {
  /// The question's number in the job (its row in `vqa_questions`).
  public var ordinal: Int
  /// The benchmark's own id (GQA question id, VizWiz image name, HM id, ...).
  public var questionID: String
  /// The exact text the model sees.
  public var prompt: String
  /// The ground truth (see the Model module's `VQATruth`).
  public var answers: [String]
  public var choices: [String]
  /// IconQA's correct choice, or -1.
  public var answerIndex: Int
  public var answerType: String

  public init(
    ordinal: Int, questionID: String, prompt: String, answers: [String], choices: [String],
    answerIndex: Int, answerType: String
  ) {
    self.ordinal = ordinal
    self.questionID = questionID
    self.prompt = prompt
    self.answers = answers
    self.choices = choices
    self.answerIndex = answerIndex
    self.answerType = answerType
  }
}

/// eval-vqa input record: one image's bytes (once per job) and its questions, so a worker needs
/// nothing but the database.
public struct VQAImageInput: Equatable, Sendable {
  /// The image's path relative to the image root.
  public var image: String
  public var encoded: [UInt8]
  public var questions: [VQAQuestionInput]

  public init(image: String, encoded: [UInt8], questions: [VQAQuestionInput]) {
    self.image = image
    self.encoded = encoded
    self.questions = questions
  }
}

/// eval-vqa output record: the raw answers about one image, by question ordinal.
public struct VQAImageOutput: Equatable, Sendable {
  public var image: String
  public var ordinals: [Int]
  public var answers: [String]

  public init(image: String, ordinals: [Int], answers: [String]) {
    self.image = image
    self.ordinals = ordinals
    self.answers = answers
  }
}

/// Layout (kind VQAI): image string, encoded bytes, question count, then per question: ordinal
/// varint, question id string, prompt string, answer count + strings, choice count + strings,
/// answer index zigzag (-1: none), answer type string.
extension VQAImageInput: ShardRecord {
  public static var kind: RecordKind { .vqaInput }

  public func encode(into writer: inout ByteWriter) {
    writer.writeString(image)
    writer.writeBytes(encoded)
    writer.writeVarint(UInt64(questions.count))
    for question in questions {
      writer.writeVarint(UInt64(question.ordinal))
      writer.writeString(question.questionID)
      writer.writeString(question.prompt)
      writeStrings(question.answers, into: &writer)
      writeStrings(question.choices, into: &writer)
      writer.writeZigZag(Int64(question.answerIndex))
      writer.writeString(question.answerType)
    }
  }

  public static func decode(from reader: inout ByteReader) throws(ShardError) -> VQAImageInput {
    let image = try reader.readString()
    let encoded = try reader.readBytes()
    // Smallest question: 7 bytes (a varint, four empty strings or lists, a zigzag).
    let count = try reader.readCount(minimumElementSize: 7)
    var questions: [VQAQuestionInput] = []
    questions.reserveCapacity(count)
    for _ in 0..<count {
      let ordinal = Int(try reader.readVarint(as: UInt32.self))
      let questionID = try reader.readString()
      let prompt = try reader.readString()
      let answers = try readStrings(from: &reader)
      let choices = try readStrings(from: &reader)
      let answerIndex = Int(try reader.readZigZag())
      let answerType = try reader.readString()
      questions.append(
        VQAQuestionInput(
          ordinal: ordinal, questionID: questionID, prompt: prompt, answers: answers,
          choices: choices, answerIndex: answerIndex, answerType: answerType))
    }
    return VQAImageInput(image: image, encoded: encoded, questions: questions)
  }
}

/// Layout (kind VQAO): image string, answer count, then per answer: ordinal varint, answer string.
extension VQAImageOutput: ShardRecord {
  public static var kind: RecordKind { .vqaOutput }

  public func encode(into writer: inout ByteWriter) {
    writer.writeString(image)
    writer.writeVarint(UInt64(answers.count))
    for (ordinal, answer) in zip(ordinals, answers) {
      writer.writeVarint(UInt64(ordinal))
      writer.writeString(answer)
    }
  }

  public static func decode(from reader: inout ByteReader) throws(ShardError) -> VQAImageOutput {
    let image = try reader.readString()
    let count = try reader.readCount(minimumElementSize: 2)
    var ordinals: [Int] = []
    var answers: [String] = []
    for _ in 0..<count {
      ordinals.append(Int(try reader.readVarint(as: UInt32.self)))
      answers.append(try reader.readString())
    }
    return VQAImageOutput(image: image, ordinals: ordinals, answers: answers)
  }
}

private func writeStrings(_ strings: [String], into writer: inout ByteWriter) {
  writer.writeVarint(UInt64(strings.count))
  for string in strings { writer.writeString(string) }
}

private func readStrings(from reader: inout ByteReader) throws(ShardError) -> [String] {
  let count = try reader.readCount(minimumElementSize: 1)
  var strings: [String] = []
  strings.reserveCapacity(count)
  for _ in 0..<count { strings.append(try reader.readString()) }
  return strings
}
