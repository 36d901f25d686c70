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
