/// The answer normalisation of the official VQA evaluation (`vqaEval.py`'s processPunctuation and
/// processDigitArticle, as MiniGPT-v2 ships it), reproduced rule for rule, quirks included: a
/// punctuation mark is deleted when it touches a space or the text has a "digit,digit", otherwise
/// replaced by a space; every period not followed by a digit goes; then words are lower-cased,
/// number words up to ten become digits, articles go and contractions gain their apostrophe.
public enum VQANormalizer {
  static let punctuation: [Character] = [
    ";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",",
    "?", "!",
  ]
  static let numbers: [String: String] = [
    "none": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
  ]
  static let articles: Set<String> = ["a", "an", "the"]
  static let contractions: [String: String] = [
    "aint": "ain't", "arent": "aren't", "cant": "can't", "couldve": "could've", "couldnt": "couldn't",
    "couldn'tve": "couldn't've", "couldnt've": "couldn't've", "didnt": "didn't", "doesnt": "doesn't",
    "dont": "don't", "hadnt": "hadn't", "hadnt've": "hadn't've", "hadn'tve": "hadn't've",
    "hasnt": "hasn't", "havent": "haven't", "hed": "he'd", "hed've": "he'd've", "he'dve": "he'd've",
    "hes": "he's", "howd": "how'd", "howll": "how'll", "hows": "how's", "Id've": "I'd've",
    "I'dve": "I'd've", "Im": "I'm", "Ive": "I've", "isnt": "isn't", "itd": "it'd", "itd've": "it'd've",
    "it'dve": "it'd've", "itll": "it'll", "let's": "let's", "maam": "ma'am", "mightnt": "mightn't",
    "mightnt've": "mightn't've", "mightn'tve": "mightn't've", "mightve": "might've",
    "mustnt": "mustn't", "mustve": "must've", "neednt": "needn't", "notve": "not've",
    "oclock": "o'clock", "oughtnt": "oughtn't", "ow's'at": "'ow's'at", "'ows'at": "'ow's'at",
    "'ow'sat": "'ow's'at", "shant": "shan't", "shed've": "she'd've", "she'dve": "she'd've",
    "she's": "she's", "shouldve": "should've", "shouldnt": "shouldn't", "shouldnt've": "shouldn't've",
    "shouldn'tve": "shouldn't've", "somebody'd": "somebodyd", "somebodyd've": "somebody'd've",
    "somebody'dve": "somebody'd've", "somebodyll": "somebody'll", "somebodys": "somebody's",
    "someoned": "someone'd", "someoned've": "someone'd've", "someone'dve": "someone'd've",
    "someonell": "someone'll", "someones": "someone's", "somethingd": "something'd",
    "somethingd've": "something'd've", "something'dve": "something'd've",
    "somethingll": "something'll", "thats": "that's", "thered": "there'd",
    "thered've": "there'd've", "there'dve": "there'd've", "therere": "there're", "theres": "there's",
    "theyd": "they'd", "theyd've": "they'd've", "they'dve": "they'd've", "theyll": "they'll",
    "theyre": "they're", "theyve": "they've", "twas": "'twas", "wasnt": "wasn't", "wed've": "we'd've",
    "we'dve": "we'd've", "weve": "we've", "werent": "weren't", "whatll": "what'll",
    "whatre": "what're", "whats": "what's", "whatve": "what've", "whens": "when's",
    "whered": "where'd", "wheres": "where's", "whereve": "where've", "whod": "who'd",
    "whod've": "who'd've", "who'dve": "who'd've", "wholl": "who'll", "whos": "who's",
    "whove": "who've", "whyll": "why'll", "whyre": "why're", "whys": "why's", "wont": "won't",
    "wouldve": "would've", "wouldnt": "wouldn't", "wouldnt've": "wouldn't've",
    "wouldn'tve": "wouldn't've", "yall": "y'all", "yall'll": "y'all'll", "y'allll": "y'all'll",
    "yall'd've": "y'all'd've", "y'alld've": "y'all'd've", "y'all'dve": "y'all'd've",
    "youd": "you'd", "youd've": "you'd've", "you'dve": "you'd've", "youll": "you'll",
    "youre": "you're", "youve": "you've",
  ]

  /// The full normalisation: tabs and newlines to spaces, trimmed, punctuation, then digits and
  /// articles.
  public static func normalize(_ text: String) -> String {
    let flat = String(text.map { $0 == "\n" || $0 == "\t" ? " " : $0 })
    return digitsAndArticles(punctuationStripped(trimmed(flat)))
  }

  /// processPunctuation.
  public static func punctuationStripped(_ text: String) -> String {
    let characters = Array(text)
    let hasDigitCommaDigit = characters.indices.contains {
      $0 > 0 && $0 + 1 < characters.count && characters[$0] == ","
        && characters[$0 - 1].isASCIIDigit && characters[$0 + 1].isASCIIDigit
    }
    var out = characters
    for mark in punctuation {
      // The reference tests the original text, and edits the running result.
      let touchesSpace = characters.indices.contains {
        characters[$0] == mark
          && (($0 + 1 < characters.count && characters[$0 + 1] == " ")
            || ($0 > 0 && characters[$0 - 1] == " "))
      }
      if touchesSpace || hasDigitCommaDigit {
        out.removeAll { $0 == mark }
      } else {
        out = out.map { $0 == mark ? " " : $0 }
      }
    }
    // periodStrip, "(?!<=\d)(\.)(?!\d)": its first group is a lookahead that always holds, so
    // every period not followed by a digit is deleted.
    var result: [Character] = []
    for (index, character) in out.enumerated() {
      if character == ".", !(index + 1 < out.count && out[index + 1].isASCIIDigit) { continue }
      result.append(character)
    }
    return String(result)
  }

  /// processDigitArticle.
  public static func digitsAndArticles(_ text: String) -> String {
    let words = text.lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init)
    return words.map { numbers[$0] ?? $0 }.filter { !articles.contains($0) }
      .map { contractions[$0] ?? $0 }.joined(separator: " ")
  }

  static func trimmed(_ text: String) -> String {
    var slice = Substring(text)
    while let first = slice.first, first.isWhitespace { slice.removeFirst() }
    while let last = slice.last, last.isWhitespace { slice.removeLast() }
    return String(slice)
  }
}

extension Character {
  var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
