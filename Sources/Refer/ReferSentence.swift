/// One referring expression, with the ids needed to find its image and ground-truth object.
public struct ReferSentence: Sendable, Hashable {
  /// `refcoco`, `refcoco+`, `refcocog`, ...
  public var dataset: String
  public var split: String
  public var refID: Int
  public var sentID: Int
  /// The annotation (object) the sentence refers to.
  public var annotationID: Int
  public var imageID: Int
  public var categoryID: Int
  /// Lower-cased, punctuation-free form (`sent`).
  public var sent: String
  /// The expression as written (`raw`); MiniGPT-v2 trains on this one.
  public var raw: String
  public var tokens: [String]

  public init(
    dataset: String, split: String, refID: Int, sentID: Int, annotationID: Int, imageID: Int,
    categoryID: Int, sent: String, raw: String, tokens: [String]
  ) {
    self.dataset = dataset
    self.split = split
    self.refID = refID
    self.sentID = sentID
    self.annotationID = annotationID
    self.imageID = imageID
    self.categoryID = categoryID
    self.sent = sent
    self.raw = raw
    self.tokens = tokens
  }
}
