import Testing

@testable import Shards

@Suite struct PVPRecordsTests {
  static let questions = PVPImageQuestions(
    image: "a.jpg", imageID: 42,
    questions: [
      PVPLocation(index: 7, row: 1, col: 2), PVPLocation(index: 9, row: 63, col: 0),
      PVPLocation(index: 300, row: 5, col: 64),
    ])
  static let answers = PVPImageAnswers(
    image: "b.png", imageID: -1,
    answers: [
      PVPAnswer(index: 0, row: 0, col: 0, r: 255, g: 128, b: 1),
      PVPAnswer(index: 2, row: 10, col: 20, r: 0, g: 0, b: 0),
    ])

  /// Bytes worked out by hand from the layouts in docs/shard-format.md.
  @Test func questionsLayout() throws {
    var writer = ByteWriter()
    Self.questions.encode(into: &writer)
    // "a.jpg" | zigzag(42)=84 | 3 | 7,1,2 | +2,63,0 | +291,5,64
    #expect(writer.bytes == bytes(hex: "05612e6a7067 54 03 070102 023f00 a3020540"))
    var reader = ByteReader(writer.bytes)
    #expect(try PVPImageQuestions.decode(from: &reader) == Self.questions)
    #expect(reader.isAtEnd)
  }

  @Test func answersLayout() throws {
    var writer = ByteWriter()
    Self.answers.encode(into: &writer)
    // "b.png" | zigzag(-1)=1 | 2 | 0,0,0,rgb | +2,10,20,rgb
    #expect(writer.bytes == bytes(hex: "05622e706e67 01 02 000000ff8001 020a14000000"))
    var reader = ByteReader(writer.bytes)
    #expect(try PVPImageAnswers.decode(from: &reader) == Self.answers)
  }

  /// Ascending indices are the norm, but any order (and the extremes) still round-trips.
  @Test func unorderedAndExtremeIndices() throws {
    let record = PVPImageQuestions(
      image: "", imageID: .min,
      questions: [
        PVPLocation(index: .max, row: .max, col: 0), PVPLocation(index: 0, row: 0, col: .max),
        PVPLocation(index: 5, row: 1, col: 1), PVPLocation(index: 5, row: 2, col: 2),
      ])
    var writer = ByteWriter()
    record.encode(into: &writer)
    var reader = ByteReader(writer.bytes)
    #expect(try PVPImageQuestions.decode(from: &reader) == record)
  }

  @Test func hostileQuestionCount() {
    // "x" | id 0 | count 2^62 | one question
    var reader = ByteReader(bytes(hex: "0178 00 8080808080808080 40 010203"))
    let error = shardError { () throws(ShardError) in _ = try PVPImageQuestions.decode(from: &reader) }
    #expect(error?.code == .badRecord)
    #expect(error?.detail.contains("count") == true)
  }

  @Test func rowOutOfRange() {
    // one question with row 65536
    var reader = ByteReader(bytes(hex: "0178 00 01 01 808004 00"))
    #expect(
      shardError { () throws(ShardError) in _ = try PVPImageQuestions.decode(from: &reader) }?.code
        == .badRecord)
  }

  @Test func truncatedAnswer() {
    var writer = ByteWriter()
    Self.answers.encode(into: &writer)
    for cut in 0..<writer.count {
      var reader = ByteReader(Array(writer.bytes[0..<cut]))
      #expect(
        shardError { () throws(ShardError) in _ = try PVPImageAnswers.decode(from: &reader) }?.code
          == .badRecord)
    }
  }
}
