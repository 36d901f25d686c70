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
}
