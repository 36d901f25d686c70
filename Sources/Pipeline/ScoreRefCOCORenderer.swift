import Foundation
import Imaging
public import Queue
import Refer
import Shards

/// `coordinator render` for score-refcoco, in the paper's Fig. 4 layout: per sentence the image,
/// the ground truth, and the prediction with the box its cells were asked in; plus an index.html.
/// Reads only the stored shards (the input for image and ground truth, the output for the answers).
public struct ScoreRefCOCORenderer {
  public let connection: PGConnection
  /// Panels are scaled down so that their longer side is at most this many pixels.
  public var maxSide = 320

  public init(connection: PGConnection) {
    self.connection = connection
  }

  static let truthColour: [UInt8] = [0, 200, 0]
  static let predictionColour: [UInt8] = [230, 0, 230]
  static let boxColour: [UInt8] = [255, 220, 0]

  /// Writes the pictures; returns the paths written.
  @discardableResult
  public func render(job: Int64, to directory: String) throws -> [String] {
    let report = try ScoreRefCOCOReport.load(job: job, connection: connection)
    let store = try BlobStores.parse(report.spec.store)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let shards = try connection.query(
      "SELECT idx, state, input_digest, output_digest FROM shards WHERE job_id = $1 ORDER BY idx",
      [.int(job)])
    var written: [String] = []
    var entries: [(file: String, output: RefSentenceOutput, sentence: String)] = []
    for row in 0..<shards.count where shards.string(row, 1) == "done" {
      let index = shards.int(row, 0) ?? -1
      guard let inputDigest = shards.string(row, 2), let outputDigest = shards.string(row, 3) else {
        continue
      }
      let input = try ShardReader(
        bytes: try store.get(digest: inputDigest, on: connection), expectedDigest: inputDigest,
        expectedKind: .refInput, name: "job \(job) shard \(index) (input)")
      var images: [String: RefImageInput] = [:]
      var sentences: [Int: RefSentenceInput] = [:]
      while let record: RefImageInput = try input.next() {
        images[record.image] = record
        for sentence in record.sentences { sentences[sentence.ordinal] = sentence }
      }
      let output = try ShardReader(
        bytes: try store.get(digest: outputDigest, on: connection), expectedDigest: outputDigest,
        expectedKind: .refOutput, name: "job \(job) shard \(index) (output)")
      var decoded: [String: RGBImage] = [:]
      while let result: RefSentenceOutput = try output.next() {
        guard let record = images[result.image], let sentence = sentences[result.ordinal] else {
          throw PipelineError(
            .badSpec, "job \(job) shard \(index)",
            "output sentence \(result.ordinal) is not in the shard's input")
        }
        if decoded[record.image] == nil {
          decoded[record.image] = try ImageDecoder.decode(
            record.encoded, name: record.image, maxPixels: report.spec.maxPixels)
        }
        let picture = try panels(result, sentence: sentence, rgb: decoded[record.image]!)
        let file = "sentence-\(String(format: "%04d", result.ordinal)).png"
        let path = directory + "/" + file
        try Data(PNGEncoder.encode(picture)).write(to: URL(fileURLWithPath: path))
        written.append(path)
        entries.append((file, result, sentence.sentence))
      }
    }
    let index = directory + "/index.html"
    try Data(html(report: report, entries: entries).utf8).write(to: URL(fileURLWithPath: index))
    written.append(index)
    return written
  }

  /// Image | ground truth (green, with its box) | prediction (magenta, with the asked box).
  func panels(_ result: RefSentenceOutput, sentence: RefSentenceInput, rgb: RGBImage) throws -> RGBImage {
    let scale = min(1, Double(maxSide) / Double(max(rgb.width, rgb.height)))
    let width = max(1, Int((Double(rgb.width) * scale).rounded()))
    let height = max(1, Int((Double(rgb.height) * scale).rounded()))
    let image =
      width == rgb.width && height == rgb.height
      ? rgb : Resampler.bicubic(rgb, width: width, height: height)
    let truth = try RLE(compressed: sentence.truthRLE, height: rgb.height, width: rgb.width)
    let truthMask = SegmentationGrid.sample(
      truth,
      columns: Resampler.nearestSourceIndices(from: rgb.width, to: width).map { $0 ?? -1 },
      rows: Resampler.nearestSourceIndices(from: rgb.height, to: height).map { $0 ?? -1 })
    let geometry = SegmentationGrid(width: rgb.width, height: rgb.height, grid: result.grid)
    let predicted = geometry.displayMask(result.gridMask, width: width, height: height)
    var truthPanel = Self.tint(image, mask: truthMask, colour: Self.truthColour)
    Self.outline(&truthPanel, box: sentence.truthBox, scale: (scale, scale), colour: Self.truthColour)
    var predictionPanel = Self.tint(image, mask: predicted, colour: Self.predictionColour)
    if let box = result.maskBox {
      Self.outline(&predictionPanel, box: box, scale: (scale, scale), colour: Self.boxColour)
    }
    return RERenderer.row([image, truthPanel, predictionPanel], gap: 8)
  }

  /// Half image, half `colour` where the mask is set.
  static func tint(_ image: RGBImage, mask: [UInt8], colour: [UInt8]) -> RGBImage {
    var pixels = image.pixels
    for (i, on) in mask.enumerated() where on != 0 {
      for c in 0..<3 { pixels[i * 3 + c] = UInt8((Int(pixels[i * 3 + c]) + Int(colour[c]) + 1) / 2) }
    }
    return RGBImage(width: image.width, height: image.height, pixels: pixels)
  }

  /// A 2-pixel rectangle along the box's edges (corners in image pixels), clipped to the panel.
  static func outline(
    _ image: inout RGBImage, box: RefCorners, scale: (x: Double, y: Double), colour: [UInt8]
  ) {
    let x1 = Int((box.x1 * scale.x).rounded(.down))
    let x2 = Int((box.x2 * scale.x).rounded(.down))
    let y1 = Int((box.y1 * scale.y).rounded(.down))
    let y2 = Int((box.y2 * scale.y).rounded(.down))
    guard x1 <= x2, y1 <= y2 else { return }
    func set(_ x: Int, _ y: Int) {
      guard x >= 0, x < image.width, y >= 0, y < image.height else { return }
      let at = (y * image.width + x) * 3
      image.pixels.replaceSubrange(at..<(at + 3), with: colour)
    }
    for x in x1...x2 {
      for t in 0..<2 {
        set(x, y1 + t)
        set(x, y2 - t)
      }
    }
    for y in y1...y2 {
      for t in 0..<2 {
        set(x1 + t, y)
        set(x2 - t, y)
      }
    }
  }

  func html(
    report: ScoreRefCOCOReport, entries: [(file: String, output: RefSentenceOutput, sentence: String)]
  ) -> String {
    var page = """
      <!doctype html><html><head><meta charset="utf-8"><title>PixelProbe score-refcoco job \(report.job)</title>
      <style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 10px;vertical-align:middle;text-align:left}</style>
      </head><body><h1>score-refcoco job \(report.job)</h1>
      <p>Model <code>\(htmlEscape(report.spec.model))</code>, --box \(report.spec.box.rawValue), grid \(report.spec.grid):
      average cIoU \(ScoreRefCOCOReport.percent(report.averageCIoU))%, gIoU \(ScoreRefCOCOReport.percent(report.averageGIoU))%,
      REC accuracy \(ScoreRefCOCOReport.percent(report.averageRecAccuracy))% over \(report.sentences) sentences.</p>
      <table><tr><th>split</th><th>sentences</th><th>cIoU %</th><th>gIoU %</th><th>REC %</th></tr>

      """
    for split in report.splits {
      page +=
        "<tr><td>\(htmlEscape(split.dataset)) \(htmlEscape(split.split))</td><td>\(split.sentences)</td>"
      page +=
        "<td>\(ScoreRefCOCOReport.percent(split.ciou))</td><td>\(ScoreRefCOCOReport.percent(split.giou))</td>"
      page += "<td>\(ScoreRefCOCOReport.percent(split.recAccuracy))</td></tr>\n"
    }
    page += """
      </table>
      <p>Each row: image | ground truth (green, with its box) | prediction (magenta) with the box
      whose cells were asked (yellow; none when the whole image was asked).</p><table>

      """
    for entry in entries {
      let o = entry.output
      let iou = o.union == 0 ? 1 : Double(o.intersection) / Double(o.union)
      page += "<tr><td>\(htmlEscape(o.dataset)) \(htmlEscape(o.split)) ref \(o.refID) sent \(o.sentID)<br>"
      page += "<b>\(htmlEscape(entry.sentence))</b><br>IoU \(ScoreRefCOCOReport.percent(iou))%, "
      page +=
        "box \(o.boxSource.name), \(o.cells.count) cells asked<br>REC answer <code>\(htmlEscape(o.recAnswer))</code></td>"
      page += "<td><img src=\"\(entry.file)\" alt=\"\(htmlEscape(entry.sentence))\"></td></tr>\n"
    }
    page += "</table></body></html>\n"
    return page
  }
}
