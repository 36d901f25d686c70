/// An object annotation of `instances.json` (`annotations[]`).
public struct COCOAnnotation: Sendable, Hashable {
  public var id: Int
  public var imageID: Int
  public var categoryID: Int
  public var segmentation: COCOSegmentation
  /// `[x, y, width, height]` in pixels (COCO convention, floats).
  public var bbox: [Double]
  public var area: Double
  public var isCrowd: Bool

  public init(
    id: Int, imageID: Int, categoryID: Int, segmentation: COCOSegmentation, bbox: [Double],
    area: Double, isCrowd: Bool
  ) {
    self.id = id
    self.imageID = imageID
    self.categoryID = categoryID
    self.segmentation = segmentation
    self.bbox = bbox
    self.area = area
    self.isCrowd = isCrowd
  }

  /// The `bbox` as corners `[x1, y1, x2, y2]` (`x2 = x + width`), as MiniGPT-v2 evaluates it.
  public var box: ReferBox {
    ReferBox(x1: bbox[0], y1: bbox[1], x2: bbox[0] + bbox[2], y2: bbox[1] + bbox[3])
  }
}
