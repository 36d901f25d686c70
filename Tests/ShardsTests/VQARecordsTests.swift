import Testing

@testable import Shards

@Suite struct VQARecordsTests {
  static let input = VQAImageInput(
    image: "a.jpg", encoded: [0xFF, 0xD8],
    questions: [
      VQAQuestionInput(
        ordinal: 3, questionID: "q7", prompt: "hi", answers: ["2", "b"], choices: ["x"], answerIndex: -1,
        answerType: "n")
    ])

  /// Bytes worked out by hand from the layouts in docs/shard-format.md.
  @Test func inputLayout() throws {
    var writer = ByteWriter()
    Self.input.encode(into: &writer)
    // "a.jpg" | 2 bytes ff d8 | 1 question: ordinal 3 | "q7" | "hi" | 2 answers "2" "b" |
    // 1 choice "x" | index -1 (zigzag 1) | "n"
    let expected = bytes(
      hex: """
        05612e6a7067 02ffd8 01
        03 027137 026869 02 0132 0162 01 0178 01 016e
        """)
    #expect(writer.bytes == expected)
    var reader = ByteReader(writer.bytes)
    #expect(try VQAImageInput.decode(from: &reader) == Self.input)
    #expect(reader.isAtEnd)
  }

  @Test func outputLayoutRoundTrips() throws {
    let output = VQAImageOutput(image: "a.jpg", ordinals: [3, 300], answers: ["yes", ""])
    var writer = ByteWriter()
    output.encode(into: &writer)
    #expect(writer.bytes == bytes(hex: "05612e6a7067 02 03 03796573 ac02 00"))
    var reader = ByteReader(writer.bytes)
    #expect(try VQAImageOutput.decode(from: &reader) == output)
  }

  @Test func hostileCountsAreRefused() {
    // "x" | no bytes | question count 2^20 with nothing after it
    var reader = ByteReader(bytes(hex: "0178 00 808040"))
    let error = shardError { () throws(ShardError) in _ = try VQAImageInput.decode(from: &reader) }
    #expect(error?.code == .badRecord && error?.detail.contains("count") == true)
    var output = ByteReader(bytes(hex: "0178 808040"))
    let outputError = shardError { () throws(ShardError) in _ = try VQAImageOutput.decode(from: &output) }
    #expect(outputError?.code == .badRecord)
  }
}
