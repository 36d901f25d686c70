/// A RefCOCO-style dataset in the official `refer` layout:
///
/// ```
/// <root>/<dataset>/instances.json       COCO images, annotations, categories
/// <root>/<dataset>/refs(<splitBy>).p    Python 2 pickle: list of refs with their sentences
/// ```
///
/// e.g. `refcoco` / `unc`, `refcoco+` / `unc`, `refcocog` / `umd`. Images are found through a
/// ref's `image_id` and `instances.json`'s `images[].file_name`.
public struct ReferDataset: Sendable {
  /// `refcoco`, `refcoco+`, `refcocog`, ...
  public var name: String
  /// `unc`, `umd`, `google`, ...
  public var splitBy: String
  public var images: [Int: ReferImage]
  public var annotations: [Int: COCOAnnotation]
  /// Category names by id.
  public var categories: [Int: String]
  /// The refs in file order.
  public var refs: [ReferRef]

  public init(
    name: String, splitBy: String, images: [Int: ReferImage], annotations: [Int: COCOAnnotation],
    categories: [Int: String], refs: [ReferRef]
  ) {
    self.name = name
    self.splitBy = splitBy
    self.images = images
    self.annotations = annotations
    self.categories = categories
    self.refs = refs
  }

  /// The splits that have refs, sorted (`testA`, `testB`, `train`, `val`).
  public var splits: [String] {
    Set(refs.map(\.split)).sorted()
  }

  /// Every sentence of `split` (all splits when nil), refs in file order, sentences in ref order.
  public func sentences(split: String? = nil) -> [ReferSentence] {
    refs.filter { split == nil || $0.split == split }.flatMap(\.sentences)
  }

  /// The image a sentence, ref or annotation belongs to.
  public func image(id: Int) -> ReferImage? {
    images[id]
  }

  /// The ground-truth mask of an annotation, at its image's full size.
  public func rle(annotationID: Int) throws(ReferError) -> RLE {
    guard let annotation = annotations[annotationID] else {
      throw ReferError(.unknownReference, field: "ann_id \(annotationID)", "no such annotation")
    }
    guard let image = images[annotation.imageID] else {
      throw ReferError(
        .unknownReference, field: "annotations[id=\(annotationID)].image_id",
        "image \(annotation.imageID) is not in images")
    }
    do {
      return try COCOMask.rle(for: annotation.segmentation, height: image.height, width: image.width)
    } catch var error {
      error.field = "annotations[id=\(annotationID)].segmentation"
      throw error
    }
  }
}
