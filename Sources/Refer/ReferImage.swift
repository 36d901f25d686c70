/// An image of `instances.json` (`images[]`).
public struct ReferImage: Sendable, Hashable {
  public var id: Int
  /// The image's file name in the COCO image directory (e.g. `COCO_train2014_000000581857.jpg`).
  public var fileName: String
  public var width: Int
  public var height: Int

  public init(id: Int, fileName: String, width: Int, height: Int) {
    self.id = id
    self.fileName = fileName
    self.width = width
    self.height = height
  }
}
