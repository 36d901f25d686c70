import Model
import Testing

/// The official VQA normalisation, on cases worked by hand from `vqaEval.py`'s rules.
struct VQANormalizerTests {
  @Test(arguments: [
    // Articles go, number words become digits, the final period goes.
    ("The Two dogs.", "2 dogs"),
    ("an apple", "apple"),
    ("none", "0"),
    ("Ten", "10"),
    // A mark touching no space becomes a space; touching one, it goes.
    ("black-and-white", "black and white"),
    ("yes!", "yes"),
    ("red , blue", "red blue"),
    ("a, b", "b"),
    // "digit,digit" anywhere: every mark is deleted, not spaced.
    ("1,000", "1000"),
    ("1,000 (approx)", "1000 approx"),
    // A period before a digit stays, any other goes.
    ("3.5", "3.5"),
    ("e.g. cats", "eg cats"),
    // Contractions gain their apostrophe; whitespace folds.
    ("dont know", "don't know"),
    ("  Whats\tthis \n", "what's this"),
  ])
  func normalizesLikeTheOfficialEvaluation(input: String, expected: String) {
    #expect(VQANormalizer.normalize(input) == expected)
  }
}
