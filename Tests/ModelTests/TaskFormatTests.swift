import Model
import Testing

@Suite struct TaskFormatTests {
  @Test func pixelQuestionIsByteExact() {
    #expect(
      Array(TaskFormat.pixelQuestion(row: 3, col: 17).utf8)
        == Array("[reconstruct] loc: [3,17] rgb: ".utf8))
    #expect(TaskFormat.pixelQuestion(row: 3, col: 17, order: .xy) == "[reconstruct] loc: [17,3] rgb: ")
    #expect(TaskFormat.pixelQuestion(row: 0, col: 63) == "[reconstruct] loc: [0,63] rgb: ")
  }

  @Test func pixelAnswerHasNoSpaces() {
    #expect(TaskFormat.pixelAnswer(r: 0, g: 128, b: 255) == "[0,128,255]")
  }

  /// The byte-by-byte builders against plain interpolation, over every width of number.
  @Test(arguments: [0, 7, 10, 99, 100, 255, 999, 1000, 1023, 9999, 10_000, 123_456])
  func fastBuildersEqualInterpolation(value: Int) {
    #expect(
      TaskFormat.pixelQuestion(row: value, col: 5) == "[reconstruct] loc: [\(value),5] rgb: ")
    #expect(
      TaskFormat.pixelQuestion(row: 3, col: value, order: .xy)
        == "[reconstruct] loc: [\(value),3] rgb: ")
    if let byte = UInt8(exactly: value) {
      #expect(TaskFormat.pixelAnswer(r: byte, g: 9, b: byte) == "[\(byte),9,\(byte)]")
    }
  }

  @Test func segmentationAndReferQuestions() {
    #expect(
      TaskFormat.segmentationQuestion(sentence: "man in red", row: 5, col: 9)
        == "[segmentation] man in red loc: [5,9] mask: ")
    #expect(
      TaskFormat.referQuestion(sentence: "man in red") == "[refer] give me the location of man in red")
  }

  @Test func minigptWrapping() {
    #expect(
      TaskFormat.minigptPrompt("[reconstruct] loc: [1,2] rgb: ")
        == "[INST] <Img><ImageHere></Img> [reconstruct] loc: [1,2] rgb:  [/INST]")
  }
}
