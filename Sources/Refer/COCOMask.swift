/// Ground-truth masks of COCO annotations, as pycocotools' `COCO.annToRLE` / `annToMask` make them.
public enum COCOMask {
  /// The mask of `segmentation` in an image of `height` x `width` pixels.
  ///
  /// Polygons are rasterised one by one (``RLE/polygon(_:height:width:)``) and merged by union;
  /// an RLE is used as it is and must have the image's size. Like pycocotools 2.0.11, a polygon
  /// list whose first polygon has 4 or fewer values is refused (pycocotools reads 4 values as a
  /// box and then fails); later polygons with fewer than two vertices add nothing.
  public static func rle(
    for segmentation: COCOSegmentation, height: Int, width: Int
  ) throws(ReferError) -> RLE {
    switch segmentation {
    case .polygons(let polygons):
      guard let first = polygons.first else {
        throw ReferError(.badMask, "segmentation has no polygon")
      }
      guard first.count > 4 else {
        throw ReferError(
          .badMask, "first polygon has \(first.count) values; pycocotools needs more than 4")
      }
      var masks: [RLE] = []
      masks.reserveCapacity(polygons.count)
      for polygon in polygons {
        masks.append(try RLE.polygon(polygon, height: height, width: width))
      }
      return try RLE.union(masks)
    case .rle(let rle):
      guard rle.height == height, rle.width == width else {
        throw ReferError(
          .sizeMismatch,
          "RLE size \(rle.height) x \(rle.width) differs from the image's \(height) x \(width)")
      }
      return rle
    }
  }

  /// The mask of `segmentation` as `height * width` bytes, row-major, 0 or 1.
  public static func mask(
    for segmentation: COCOSegmentation, height: Int, width: Int
  ) throws(ReferError) -> [UInt8] {
    try rle(for: segmentation, height: height, width: width).decoded()
  }
}
