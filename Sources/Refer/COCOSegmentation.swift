/// The `segmentation` of a COCO annotation.
public enum COCOSegmentation: Sendable, Hashable {
  /// One or more polygons `[x1, y1, x2, y2, ...]` of one object (`iscrowd` 0).
  case polygons([[Double]])
  /// A run-length mask (`iscrowd` 1), from uncompressed `counts: [...]` or a compressed string.
  case rle(RLE)
}
