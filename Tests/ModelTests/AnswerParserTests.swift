import Model
import Testing

@Suite struct AnswerParserTests {
  @Test(arguments: [
    ("[0,0,0]", 0, 0, 0), ("[255,128,7]", 255, 128, 7), ("[12,34,56]\n", 12, 34, 56),
    (" [1,2,3] ", 1, 2, 3), ("[007,0,10]", 7, 0, 10),
  ])
  func parsesWellFormedAnswers(_ text: String, _ r: Int, _ g: Int, _ b: Int) throws {
    let parsed = try #require(AnswerParser.pixel(text))
    #expect([Int(parsed.r), Int(parsed.g), Int(parsed.b)] == [r, g, b])
  }

  @Test(arguments: [
    "[1,2]", "[256,0,0]", "[-1,0,0]", "[1, 2, 3]", "[1,2,3] and more", "", "[]", "[1,2,3,4]",
    "1,2,3", "[1,,3]", "[1,2,3", "1,2,3]", "[١,٢,٣]", "[１,2,3]", "[1000,0,0]", "[a,b,c]",
    "rgb: [1,2,3]", "[,1,2]", "[1,2,]", "[1,2,3]\u{301}", "[\u{301}1,2,3]", "[1,2,3]\u{0}",
  ])
  func rejectsMalformedAnswers(_ text: String) {
    #expect(AnswerParser.pixel(text) == nil)
  }

  /// A slice of a longer (heap) string parses as the same text on its own.
  @Test func parsesSubstrings() throws {
    let text = "answers: [200,100,50] and [1,2,3]\n"
    let first = text.firstRange(of: "[200,100,50]")!
    let parsed = try #require(AnswerParser.pixel(text[first]))
    #expect([parsed.r, parsed.g, parsed.b] == [200, 100, 50])
    #expect(AnswerParser.pixel(text[first.lowerBound...]) == nil)
    let last = text.firstRange(of: "[1,2,3]")!.lowerBound
    let tail = try #require(AnswerParser.pixel(text[last...]))
    #expect([tail.r, tail.g, tail.b] == [1, 2, 3])
  }

  @Test(arguments: [("0", false), ("1", true), (" 1\n", true)])
  func parsesMasks(_ text: String, _ value: Bool) {
    #expect(AnswerParser.mask(text) == value)
  }

  @Test(arguments: ["2", "01", "", "yes", "0 1", "١"])
  func rejectsBadMasks(_ text: String) {
    #expect(AnswerParser.mask(text) == nil)
  }

  /// Regression (fuzz/answer_parser, fuzz/findings/answer_parser): Windows line ends around an
  /// answer are white space too; "\r\n" is a single Character and was not trimmed.
  @Test(arguments: ["1\r\n\n\n", "\r\n1", " \r\n1\r\n "])
  func crlfAroundAnAnswerIsWhiteSpace(_ text: String) {
    #expect(AnswerParser.mask(text) == true)
    let pixel = AnswerParser.pixel(text.replacingOccurrences(of: "1", with: "[4,5,6]"))
    #expect(pixel.map { [$0.r, $0.g, $0.b] } == [4, 5, 6])
  }
}
