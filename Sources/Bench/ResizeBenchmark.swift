import ArgumentParser
import Foundation
import Imaging

/// `pixelprobe-bench resize`: how long the PVP target takes per photo (decode, then 64x64
/// BICUBIC), next to libjpeg-turbo decoding alone. `bench/pillow_resize.py` prints Pillow's
/// figures for the same photos.
struct ResizeBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resize", abstract: "Decode and resize photos to the 64x64 PVP grid; print ms per image.")

  @Option(help: "Folder of JPEG/PNG photos.")
  var dir = "data/photos"

  @Option(help: "Timed runs per photo and step.")
  var `repeat` = 30

  @Option(help: "Which of the runs to print: median or min (the least disturbed by other load).")
  var statistic = "median"

  @Option(help: "Target width and height.")
  var size = 64

  @Option(help: "Time only these steps (comma-separated: turbo, decode, resize, both).")
  var steps = "turbo,decode,resize,both"

  func run() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: dir)
      .filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".jpeg") || $0.hasSuffix(".png") }.sorted()
    guard !names.isEmpty else { throw ValidationError("no .jpg/.png files in \(dir)") }
    let baseline = try TurboJPEGBaseline()
    guard statistic == "median" || statistic == "min" else {
      throw ValidationError("--statistic must be median or min")
    }
    print("\(statistic) ms of \(self.repeat) runs; decode from bytes in memory; target \(size)x\(size)")
    print(Row.header)
    var rows: [Row] = []
    for name in names {
      let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(name)))
      let image = try ImageDecoder.decode(bytes, name: name)
      let isJPEG = bytes.starts(with: [0xFF, 0xD8, 0xFF])
      let selected = Set(steps.split(separator: ",").map(String.init))
      func time(_ step: String, _ body: () -> Void) -> Double {
        selected.contains(step) ? median(body) : .nan
      }
      let row = Row(
        name: name, width: image.width, height: image.height, isJPEG: isJPEG,
        turbo: isJPEG ? time("turbo") { _ = baseline.decode(bytes) } : nil,
        decode: time("decode") { _ = try? ImageDecoder.decode(bytes, name: name) },
        resize: time("resize") { _ = Resampler.bicubic(image, width: size, height: size) },
        both: time("both") {
          if let decoded = try? ImageDecoder.decode(bytes, name: name) {
            _ = Resampler.bicubic(decoded, width: size, height: size)
          }
        })
      print(row.line)
      rows.append(row)
    }
    print("")
    summarize("JPEG 640x480", rows.filter { $0.isJPEG && $0.width == 640 && $0.height == 480 })
    summarize("all JPEG", rows.filter(\.isJPEG))
    summarize("all PNG", rows.filter { !$0.isJPEG })
    summarize("all photos", rows)
  }

  /// The median (or least) wall time of `repeat` runs (after one warm-up), in milliseconds.
  func median(_ body: () -> Void) -> Double {
    body()
    let clock = ContinuousClock()
    var times: [Double] = []
    for _ in 0..<max(self.repeat, 1) {
      let elapsed = clock.measure(body)
      times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3)
    }
    times.sort()
    return statistic == "min" ? times[0] : times[times.count / 2]
  }

  func summarize(_ label: String, _ rows: [Row]) {
    guard !rows.isEmpty else { return }
    func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
    let turbo = rows.compactMap(\.turbo)
    let both = mean(rows.map(\.both))
    var line =
      "\(label) (\(rows.count)): mean ms decode \(fmt(mean(rows.map(\.decode)))), resize "
      + "\(fmt(mean(rows.map(\.resize)))), decode+resize \(fmt(both))"
    if turbo.count == rows.count {
      line += ", libjpeg-turbo decode \(fmt(mean(turbo))) (decode+resize = \(fmt(both / mean(turbo)))x)"
    }
    print(line)
  }

  struct Row {
    var name: String
    var width: Int
    var height: Int
    var isJPEG: Bool
    var turbo: Double?
    var decode: Double
    var resize: Double
    var both: Double

    static let header =
      "photo                            size       turbo-decode  decode  resize  decode+resize"

    var line: String {
      name.padding(toLength: 33, withPad: " ", startingAt: 0)
        + "\(width)x\(height)".padding(toLength: 11, withPad: " ", startingAt: 0)
        + (turbo.map(fmt) ?? "-").leftPadded(12) + fmt(decode).leftPadded(8) + fmt(resize).leftPadded(8)
        + fmt(both).leftPadded(15)
    }
  }
}

private func fmt(_ value: Double) -> String {
  String(format: "%.3f", value)
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
