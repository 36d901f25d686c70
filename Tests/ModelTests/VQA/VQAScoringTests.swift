import Model
import Testing

/// Each benchmark's rule on hand-computed cases.
struct VQAScoringTests {
  func score(_ answer: String, _ benchmark: VQABenchmark, _ truth: VQATruth) -> VQAScore {
    VQAScoring.score(answer, benchmark: benchmark, truth: truth)
  }

  @Test func gqaComparesNormalisedAnswersAndReportsTheLiteralRuleBeside() {
    let building = VQATruth(answers: ["a building"])
    #expect(score("Building", .gqa, building).score == 1)
    #expect(score("Building", .gqa, building).exactScore == 0)
    #expect(score("a building", .gqa, building).exactScore == 1)
    #expect(score("two", .gqa, VQATruth(answers: ["2"])).score == 1)
    #expect(score("house", .gqa, building).score == 0)
    // MiniGPT-v2's clean-up: <unk> removed, trimmed.
    let cleaned = score(" <unk>Yes<unk> ", .gqa, VQATruth(answers: ["yes"]))
    #expect(cleaned.prediction == "Yes" && cleaned.score == 1 && cleaned.exactScore == 1)
    #expect(score("   ", .gqa, building).unparsable)
  }

  @Test func vizwizGivesPartialCreditPerAnnotator() {
    let annotators = ["2", "2", "two", "3", "unanswerable", "unanswerable", "1", "2 apples", "", "3"]
    // Normalised, "two" is "2": three annotators said it.
    #expect(score("Two", .vizwiz, VQATruth(answers: annotators)).score == 1)
    // Literally, only one said "two".
    #expect(score("Two", .vizwiz, VQATruth(answers: annotators)).exactScore == 1.0 / 3)
    #expect(score("3", .vizwiz, VQATruth(answers: annotators)).score == 2.0 / 3)
    #expect(score("unanswerable", .vizwiz, VQATruth(answers: annotators)).score == 2.0 / 3)
    #expect(score("four", .vizwiz, VQATruth(answers: annotators)).score == 0)
    #expect(VQAScoring.vizwiz("cat", Array(repeating: "cat", count: 10)) == 1)
  }

  @Test func binaryBenchmarksAcceptOnlyTheirTwoAnswers() {
    let hateful = VQATruth(answers: ["yes"])
    #expect(score("Yes.", .hm, hateful).score == 1)
    #expect(score("Yes.", .hm, hateful).exactScore == 0)
    #expect(score("yes", .hm, hateful).exactScore == 1)
    #expect(score("no", .hm, hateful).score == 0 && !score("no", .hm, hateful).unparsable)
    #expect(score("maybe", .hm, hateful).unparsable && score("maybe", .hm, hateful).score == 0)
    let falseCaption = VQATruth(answers: ["false"])
    #expect(
      score("False", .vsr, falseCaption).score == 1 && score("False", .vsr, falseCaption).exactScore == 1)
    #expect(score("It is false", .vsr, falseCaption).unparsable)
    #expect(score("true", .vsr, falseCaption).score == 0)
  }

  @Test func iconqaMatchesAChoiceByTextLetterOrIndex() {
    let shapes = ["circle", "square", "triangle"]
    #expect(VQAScoring.choice("Square.", choices: shapes) == 1)
    #expect(VQAScoring.choice("(C)", choices: shapes) == 2)
    #expect(VQAScoring.choice("B.", choices: shapes) == 1)
    #expect(VQAScoring.choice("b)", choices: shapes) == 1)
    #expect(VQAScoring.choice("a", choices: shapes) == 0)
    #expect(VQAScoring.choice("2", choices: shapes) == 2)
    #expect(VQAScoring.choice("D", choices: shapes) == nil)
    #expect(VQAScoring.choice("hexagon", choices: shapes) == nil)
    // A number that is a choice's text is that choice, not an index.
    let counts = ["2", "3", "4"]
    #expect(VQAScoring.choice("two", choices: counts) == 0)
    #expect(VQAScoring.choice("4", choices: counts) == 2)
    #expect(VQAScoring.choice("1", choices: counts) == 1)
    let truth = VQATruth(answers: ["3"], choices: counts, answerIndex: 1)
    #expect(score("Three", .iconvqa, truth).score == 1 && score("Three", .iconvqa, truth).normalized == "B")
    #expect(score("Three", .iconvqa, truth).exactScore == 0)
    #expect(score("3", .iconvqa, truth).exactScore == 1)
    #expect(score("(A)", .iconvqa, truth).score == 0)
    #expect(score("many", .iconvqa, truth).unparsable)
  }

  @Test func oracleAnswersAndTheirCeiling() {
    let split = VQATruth(answers: ["black", "white", "white", "black", "grey"])
    // A tie goes to the answer seen first; two annotators of five gave it.
    #expect(VQAScoring.oracleAnswer(benchmark: .vizwiz, truth: split) == "black")
    #expect(score("black", .vizwiz, split).score == 2.0 / 3)
    #expect(
      VQAScoring.oracleAnswer(
        benchmark: .iconvqa, truth: VQATruth(answers: ["b"], choices: ["a", "b"], answerIndex: 1)) == "b")
    #expect(VQAScoring.mostFrequent(["b", "a", "b", "a"]) == "b")
    #expect(VQAScoring.mostFrequent([]) == nil)
  }

  @Test func promptsAreMiniGPTv2s() {
    #expect(
      VQABenchmark.gqa.prompt(question: "What is it?")
        == "[vqa] Based on the image, respond to this question with a short answer: What is it?")
    #expect(
      VQABenchmark.vsr.prompt(question: "The cat is on the mat.")
        == "[vqa] Based on the image, is this statement true or false? The cat is on the mat.")
    #expect(
      VQABenchmark.hm.prompt(question: "hello")
        == "This is an image writting 'hello'. Is this image hateful? Answer yes or no. Answer:")
    #expect(
      VQABenchmark.vizwiz.prompt(question: "What is this?")
        == "[vqa] The question is 'What is this?' Based on the image, answer the question with a single word or phrase. and reply 'unanswerable' when the provided information is insufficient"
    )
    #expect(
      VQABenchmark.iconvqa.prompt(question: "How many?", choices: ["1", "2"])
        == "[vqa] Based on the image, respond to this question with a short answer: How many? Options: (A) 1 (B) 2"
    )
    #expect(
      VQABenchmark.letter(0) == "A" && VQABenchmark.letter(25) == "Z" && VQABenchmark.letter(26) == "AA")
  }
}
