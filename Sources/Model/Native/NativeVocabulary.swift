/// The byte-level vocabulary: ids 0...255 are byte values, then three specials.
public enum NativeVocabulary {
  public static let bos = 256
  public static let eos = 257
  /// Padding for training batches; never fed to or produced by inference.
  public static let pad = 258
  public static let size = 259
  /// Greedy decoding chooses among the bytes and EOS only (BOS and PAD are never produced).
  public static let generatable = 0...eos

  public static func encode(_ text: String) -> [Int] { text.utf8.map { Int($0) } }

  /// The bytes among `tokens` as UTF-8 text (invalid sequences become U+FFFD); specials dropped.
  public static func decode(_ tokens: [Int]) -> String {
    String(decoding: tokens.compactMap { $0 < 256 ? UInt8($0) : nil }, as: UTF8.self)
  }
}

/// MiniGPT-v2's prompt wrapping, `[INST] <Img><ImageHere></Img> {question} [/INST]`, in bytes.
/// The tokens are BOS, `[INST] `, per image `<Img>` + its visual tokens + `</Img>`, one space
/// (the shared image prefix, NativeVLM+Frames.swift), then the question's bytes,
/// `questionClose`, then the answer's bytes and EOS.
public enum NativePrompt {
  public static let questionClose = NativeVocabulary.encode(" [/INST]")

  /// The tokens that follow the image prefix for `question`.
  public static func questionTokens(_ question: String) -> [Int] {
    NativeVocabulary.encode(question) + questionClose
  }
}
