/// A ref of `refs(<splitBy>).p`: one object and the sentences that refer to it.
///
/// The ref's own `file_name` (`<image stem>_<ann_id>.jpg`) is not an image file and is not kept;
/// the image is found through `imageID` in `instances.json`.
public struct ReferRef: Sendable, Hashable {
  public var refID: Int
  public var annotationID: Int
  public var imageID: Int
  public var categoryID: Int
  public var split: String
  public var sentences: [ReferSentence]

  public init(
    refID: Int, annotationID: Int, imageID: Int, categoryID: Int, split: String,
    sentences: [ReferSentence]
  ) {
    self.refID = refID
    self.annotationID = annotationID
    self.imageID = imageID
    self.categoryID = categoryID
    self.split = split
    self.sentences = sentences
  }
}
