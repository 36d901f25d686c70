import Testing

@testable import Pipeline

@Suite struct REReportFormatTests {
  static func figures(_ model: String, re: Double) -> REReport.Figures {
    REReport.Figures(
      model: model, images: 5, questions: 20_480, unparsable: 0, rePercent: re,
      reChannelSumPercent: 3 * re, maeLevels: re * 2.55)
  }

  static func report(job: Int64, model: String, re: Double) -> REReport {
    REReport(
      job: job, state: "succeeded", model: figures(model, re: re),
      references: [figures("baseline:mean", re: 17.82)], images: [], grid: 64)
  }

  /// A long model name (a native weights path) widens the MODEL column: every row's RE figure
  /// starts in the same column as the header's "RE %".
  @Test func compareKeepsColumnsAlignedForLongModelNames() throws {
    let long = "native:/tmp/exp/out/experiment/pae-tiny-stage2-frozen.safetensors"
    let text = REReport.compare([
      Self.report(job: 4, model: "baseline:oracle", re: 0),
      Self.report(job: 6, model: long, re: 21.05),
    ])
    let lines = text.split(separator: "\n").map(String.init)
    let column = lines[0].distance(
      from: lines[0].startIndex, to: lines[0].range(of: "IMAGES")!.lowerBound)
    // "JOB" takes 6 characters, then the model padded to the longest name + 2.
    #expect(column == 6 + long.count + 2)
    for line in [lines[1], lines[2]] {
      let images = line.index(line.startIndex, offsetBy: column)
      #expect(line[images...].hasPrefix("5 "), "\(line)")
    }
    let reference = try #require(lines.first { $0.contains("baseline:mean") })
    #expect(reference[reference.index(reference.startIndex, offsetBy: column)...].hasPrefix("5 "))
  }

  /// A thumbnail model's report lists the other thumbnails as references, not its own size: its
  /// effective resolution is its size, not "below" the coarsest reference.
  @Test func aThumbnailIsItsOwnResolution() {
    let report = REReport(
      job: 7, state: "succeeded", model: Self.figures("baseline:thumbnail?k=4", re: 11.72),
      references: [
        Self.figures("baseline:mean", re: 17.82), Self.figures("baseline:thumbnail?k=8", re: 8.76),
        Self.figures("baseline:thumbnail?k=16", re: 5.86),
      ], images: [], grid: 64)
    #expect(report.effectiveResolution == 4)
    #expect(report.effectiveResolutionText == "4.0 x 4.0")
    // A model between two references is interpolated in log2 k, as before: halfway in RE
    // between k = 8 and k = 16 is k = 2^3.5.
    let between = REReport(
      job: 8, state: "succeeded", model: Self.figures("native:m", re: (8.76 + 5.86) / 2),
      references: report.references, images: [], grid: 64)
    #expect(abs((between.effectiveResolution ?? 0) - 11.3137) < 1e-3)
  }
}
