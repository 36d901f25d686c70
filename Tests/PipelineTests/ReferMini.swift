import Foundation
import Imaging

/// The refer-mini fixture and figures computed from it without the code under test: masks from
/// the Pillow-written PNGs in `data/refer-mini/expected`, boxes from `summary.json`, and the
/// cell-in-box rule written out again here.
enum ReferMini {
  static var root: String { TestEnvironment.repositoryRoot + "/data/refer-mini" }
  static var images: String { root + "/images" }

  struct Annotation {
    var width: Int
    var height: Int
    /// COCO `bbox` as corners.
    var box: (x1: Double, y1: Double, x2: Double, y2: Double)
    var maskArea: Int
    var mask64Area: Int
  }

  static let summary: [Int: Annotation] = {
    let url = URL(fileURLWithPath: root + "/expected/summary.json")
    guard let data = try? Data(contentsOf: url),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: [String: Any]]
    else { return [:] }
    var out: [Int: Annotation] = [:]
    for (key, value) in object {
      guard let id = Int(key), let bbox = value["bbox"] as? [Double], let width = value["width"] as? Int,
        let height = value["height"] as? Int
      else { continue }
      out[id] = Annotation(
        width: width, height: height, box: (bbox[0], bbox[1], bbox[0] + bbox[2], bbox[1] + bbox[3]),
        maskArea: value["mask_area"] as? Int ?? -1, mask64Area: value["mask64_area"] as? Int ?? -1)
    }
    return out
  }()

  /// The full-resolution ground truth of an annotation (pycocotools via Pillow), 0/255.
  static func mask(_ annotation: Int) throws -> GrayImage {
    try ImageDecoder.decodeGrayFile(atPath: root + "/expected/\(annotation).png")
  }

  /// The ground truth resized to 64 x 64 with Pillow's NEAREST.
  static func mask64(_ annotation: Int) throws -> GrayImage {
    try ImageDecoder.decodeGrayFile(atPath: root + "/expected/masks64/\(annotation).png")
  }

  /// Cells whose centre, in grid units, lies in the box (edges included).
  static func cellsInBox(
    _ box: (x1: Double, y1: Double, x2: Double, y2: Double), width: Int, height: Int, grid: Int
  ) -> Set<Int> {
    var cells: Set<Int> = []
    for row in 0..<grid {
      for col in 0..<grid {
        let cx = (Double(col) + 0.5) * Double(width) / Double(grid)
        let cy = (Double(row) + 0.5) * Double(height) / Double(grid)
        // Compared in pixels here (the code compares in grid units); equal away from exact ties.
        if box.x1 <= cx, cx <= box.x2, box.y1 <= cy, cy <= box.y2 { cells.insert(row * grid + col) }
      }
    }
    return cells
  }

  /// MiniGPT-v2's answer for a box, parsed back: `int(v / size * 100) / 100 * size`.
  static func quantised(_ box: (x1: Double, y1: Double, x2: Double, y2: Double), width: Int, height: Int)
    -> (x1: Double, y1: Double, x2: Double, y2: Double)
  {
    func q(_ v: Double, _ size: Int) -> Double {
      (v / Double(size) * 100).rounded(.down) / 100 * Double(size)
    }
    return (q(box.x1, width), q(box.y1, height), q(box.x2, width), q(box.y2, height))
  }

  /// Intersection and union of a 64 x 64 prediction (non-zero = in) upsampled with NEAREST
  /// against the full-resolution ground truth.
  static func overlap(grid prediction: GrayImage, truth: GrayImage) -> (intersection: Int, union: Int) {
    let up = Resampler.nearest(prediction, width: truth.width, height: truth.height)
    var intersection = 0
    var union = 0
    for (p, t) in zip(up.pixels, truth.pixels) {
      if p != 0 && t != 0 { intersection += 1 }
      if p != 0 || t != 0 { union += 1 }
    }
    return (intersection, union)
  }

  /// The 64 x 64 ground truth with every cell outside `cells` cleared (all cells for nil).
  static func gridMask(_ annotation: Int, keeping cells: Set<Int>?) throws -> GrayImage {
    var grid = try mask64(annotation)
    if let cells {
      for i in grid.pixels.indices where !cells.contains(i) { grid.pixels[i] = 0 }
    }
    return grid
  }

  /// MiniGPT-v2's box IoU (+1-pixel convention).
  static func boxIoU(
    _ a: (x1: Double, y1: Double, x2: Double, y2: Double),
    _ b: (x1: Double, y1: Double, x2: Double, y2: Double)
  ) -> Double {
    let w = max(0, min(a.x2, b.x2) - max(a.x1, b.x1) + 1)
    let h = max(0, min(a.y2, b.y2) - max(a.y1, b.y1) + 1)
    let i = w * h
    let u = (a.x2 - a.x1 + 1) * (a.y2 - a.y1 + 1) + (b.x2 - b.x1 + 1) * (b.y2 - b.y1 + 1) - i
    return i / u
  }
}
