import Foundation
public import Imaging
public import Queue
public import Shards

/// `coordinator render` for eval-re: per image ground truth | reconstruction | error heatmap, a
/// contact sheet in the paper's Fig. 3 layout, and an index.html. Reads only the stored results.
public struct RERenderer {
  public let connection: PGConnection
  /// Each grid cell becomes scale x scale pixels (64 x 64 targets are tiny on screen).
  public var scale = 4

  public init(connection: PGConnection) {
    self.connection = connection
  }

  /// Colours for cells that hold no prediction.
  static let unparsableColour: [UInt8] = [255, 0, 255]
  static let unaskedColour: [UInt8] = [128, 128, 128]

  public struct Panels {
    public var truth: RGBImage
    public var reconstruction: RGBImage
    public var heatmap: RGBImage
  }

  /// Grid-sized panels of one image's results.
  public static func panels(_ record: REImageOutput) -> Panels {
    let n = record.grid * record.grid
    var recon = [UInt8](repeating: 0, count: n * 3)
    var heat = [UInt8](repeating: 0, count: n * 3)
    for cell in 0..<n {
      recon.replaceSubrange((cell * 3)..<(cell * 3 + 3), with: unaskedColour)
      heat.replaceSubrange((cell * 3)..<(cell * 3 + 3), with: unaskedColour)
    }
    for (k, cell) in record.cells.enumerated() {
      let at = Int(cell) * 3
      if let rgb = record.parsed[k] {
        recon.replaceSubrange(at..<(at + 3), with: rgb.bytes)
        let error =
          (0..<3).map { abs(Int(rgb[$0]) - Int(record.target[at + $0])) }.reduce(0, +) / 3
        heat.replaceSubrange(at..<(at + 3), with: hot(error))
      } else {
        recon.replaceSubrange(at..<(at + 3), with: unparsableColour)
        heat.replaceSubrange(at..<(at + 3), with: hot(255))
      }
    }
    let g = record.grid
    return Panels(
      truth: RGBImage(width: g, height: g, pixels: record.target),
      reconstruction: RGBImage(width: g, height: g, pixels: recon),
      heatmap: RGBImage(width: g, height: g, pixels: heat))
  }

  /// The "hot" colour map: black, red, yellow, white as the error grows (0...255 levels).
  static func hot(_ level: Int) -> [UInt8] {
    let x = min(255, max(0, level)) * 3
    return [UInt8(min(255, x)), UInt8(min(255, max(0, x - 255))), UInt8(min(255, max(0, x - 510)))]
  }

  /// Images side by side with `gap` white pixels between them (all the same height).
  static func row(_ images: [RGBImage], gap: Int) -> RGBImage {
    let height = images.map(\.height).max() ?? 0
    let width = images.map(\.width).reduce(0, +) + gap * max(0, images.count - 1)
    var pixels = [UInt8](repeating: 255, count: width * height * 3)
    var x0 = 0
    for image in images {
      for y in 0..<image.height {
        let src = y * image.width * 3
        let dst = (y * width + x0) * 3
        pixels.replaceSubrange(
          dst..<(dst + image.width * 3), with: image.pixels[src..<(src + image.width * 3)])
      }
      x0 += image.width + gap
    }
    return RGBImage(width: width, height: height, pixels: pixels)
  }

  /// Images stacked vertically with `gap` white rows between them, left-aligned.
  static func column(_ images: [RGBImage], gap: Int) -> RGBImage {
    let width = images.map(\.width).max() ?? 0
    let height = images.map(\.height).reduce(0, +) + gap * max(0, images.count - 1)
    var pixels = [UInt8](repeating: 255, count: width * height * 3)
    var y0 = 0
    for image in images {
      for y in 0..<image.height {
        let src = y * image.width * 3
        let dst = ((y0 + y) * width) * 3
        pixels.replaceSubrange(
          dst..<(dst + image.width * 3), with: image.pixels[src..<(src + image.width * 3)])
      }
      y0 += image.height + gap
    }
    return RGBImage(width: width, height: height, pixels: pixels)
  }

  /// Writes the pictures; returns the paths written.
  @discardableResult
  public func render(job: Int64, to directory: String) throws -> [String] {
    let report = try REReport.load(job: job, connection: connection)
    let rows = try connection.query("SELECT spec::text FROM jobs WHERE id = $1", [.int(job)])
    let spec: EvalRESpec = try JobSpec.decode(rows.string(0, 0) ?? "", job: job)
    try FileManager.default.createDirectory(
      atPath: directory, withIntermediateDirectories: true)
    var written: [String] = []
    var sheetColumns: [RGBImage] = []
    var entries: [(file: String, image: String)] = []
    let shards = OutputShards(
      connection: connection, job: job, store: try BlobStores.parse(spec.store))
    try shards.forEach(kinds: RecordKind.reOutputKinds) { _, reader in
      while let record = try reader.nextREOutput() {
        let p = Self.panels(record)
        let big = [p.truth, p.reconstruction, p.heatmap].map {
          Resampler.nearest($0, width: $0.width * scale, height: $0.height * scale)
        }
        let file = "image-\(String(format: "%03d", entries.count)).png"
        let path = directory + "/" + file
        try Data(PNGEncoder.encode(Self.row(big, gap: 8))).write(to: URL(fileURLWithPath: path))
        written.append(path)
        entries.append((file, record.image))
        let small = [p.truth, p.reconstruction, p.heatmap].map {
          Resampler.nearest($0, width: $0.width * 2, height: $0.height * 2)
        }
        sheetColumns.append(Self.column(small, gap: 2))
      }
    }
    // Fig. 3 layout: each block holds up to 10 images as columns; rows are truth, reconstruction, error.
    var blocks: [RGBImage] = []
    for start in stride(from: 0, to: sheetColumns.count, by: 10) {
      blocks.append(Self.row(Array(sheetColumns[start..<min(start + 10, sheetColumns.count)]), gap: 4))
    }
    if !blocks.isEmpty {
      let sheet = directory + "/contact-sheet.png"
      try Data(PNGEncoder.encode(Self.column(blocks, gap: 12))).write(to: URL(fileURLWithPath: sheet))
      written.append(sheet)
    }
    let re = Dictionary(
      report.images.map { ($0.image, $0.figures.rePercent) }, uniquingKeysWith: { a, _ in a })
    var html = """
      <!doctype html><html><head><meta charset="utf-8"><title>PixelProbe eval-re job \(job)</title>
      <style>body{font-family:sans-serif;margin:2em}td{padding:4px 12px;vertical-align:middle}</style>
      </head><body><h1>eval-re job \(job)</h1>
      <p>Model <code>\(htmlEscape(report.model.model))</code>: RE \(REReport.fixed(report.model.rePercent))%,
      channel-summed \(REReport.fixed(report.model.reChannelSumPercent))%, MAE \(REReport.fixed(report.model.maeLevels, 1)) levels,
      \(report.model.unparsable) unparsable of \(report.model.questions); effective resolution \(report.effectiveResolutionText).</p>
      <p>Each row: ground truth | reconstruction | error (black = exact, white = 255 levels;
      magenta = unparsable answer, grey = not asked).</p>
      <p><img src="contact-sheet.png" alt="contact sheet"></p><table>
      """
    for entry in entries {
      html += "<tr><td>\(htmlEscape(entry.image))<br>RE \(REReport.fixed(re[entry.image] ?? .nan))%</td>"
      html += "<td><img src=\"\(entry.file)\" alt=\"\(htmlEscape(entry.image))\"></td></tr>\n"
    }
    html += "</table></body></html>\n"
    let index = directory + "/index.html"
    try Data(html.utf8).write(to: URL(fileURLWithPath: index))
    written.append(index)
    return written
  }
}

func htmlEscape(_ text: String) -> String {
  text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
