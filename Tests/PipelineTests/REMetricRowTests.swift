import Testing

@testable import Pipeline

@Suite struct REMetricRowTests {
  // Target: two cells of a 1x2 grid: (10, 20, 30) and (200, 100, 0).
  static let target: [UInt8] = [10, 20, 30, 200, 100, 0]

  @Test func sumsAbsoluteErrorsPerChannel() {
    let row = REMetricRow.score(
      image: "a", model: "m", isReference: false, cells: [0, 1], target: Self.target,
      predictions: [[12, 20, 25], [190, 110, 3]], policy: .worst)
    // |12-10| + |190-200| = 12; |20-20| + |110-100| = 10; |25-30| + |3-0| = 8.
    #expect(row.sumAbs == [12, 10, 8])
    #expect(row.scored == 2 && row.unparsable == 0 && row.questions == 2)
  }

  @Test func unparsableCountsAsWorstOrIsSkipped() {
    let worst = REMetricRow.score(
      image: "a", model: "m", isReference: false, cells: [0, 1], target: Self.target,
      predictions: [[10, 20, 30], nil], policy: .worst)
    #expect(worst.sumAbs == [255, 255, 255])
    #expect(worst.scored == 2 && worst.unparsable == 1)
    let skip = REMetricRow.score(
      image: "a", model: "m", isReference: false, cells: [0, 1], target: Self.target,
      predictions: [[10, 20, 30], nil], policy: .skip)
    #expect(skip.sumAbs == [0, 0, 0])
    #expect(skip.scored == 1 && skip.unparsable == 1)
  }

  @Test func onlyTheAskedCellsCount() {
    let row = REMetricRow.score(
      image: "a", model: "m", isReference: false, cells: [1], target: Self.target,
      predictions: [[0, 0, 0]], policy: .worst)
    #expect(row.sumAbs == [200, 100, 0])
  }

  @Test func referenceRowReadsTheReconstructionAtTheAskedCells() {
    // A 1x2 reconstruction; only cell 1 is asked: |0-200| + |5-100| + |9-0| per channel.
    let row = REMetricRow.score(
      image: "a", model: "baseline:mean", cells: [1], target: Self.target,
      reconstruction: [1, 1, 1, 0, 5, 9])
    #expect(row.sumAbs == [200, 95, 9])
    #expect(row.isReference && row.scored == 1 && row.unparsable == 0 && row.questions == 1)
    // The same as scoring the reconstruction's colours as parsed answers.
    let same = REMetricRow.score(
      image: "a", model: "baseline:mean", isReference: true, cells: [1], target: Self.target,
      predictions: [[0, 5, 9]], policy: .worst)
    #expect(row == same)
  }

  @Test func effectiveResolutionInterpolatesOnLog2() throws {
    // RE 20 at k=4, 10 at k=8, 5 at k=16: a model at RE 15 sits halfway (in log2) between 4 and 8.
    let points: [(k: Double, re: Double)] = [(4, 20), (8, 10), (16, 5), (64, 0)]
    let k = try #require(REReport.interpolate(points, at: 15))
    #expect(abs(k - 4 * 2.0.squareRoot()) < 1e-9)
    #expect(REReport.interpolate(points, at: 10) == 8)
    #expect(REReport.interpolate(points, at: 25) == nil)
    let fine = try #require(REReport.interpolate(points, at: 2.5))
    #expect(abs(fine - 32) < 1e-9)  // halfway from 16 (RE 5) to 64 (RE 0) in log2 is 32
  }
}
