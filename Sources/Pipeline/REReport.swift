import Foundation
public import Queue

/// The RE table of one eval-re job, read from the SQL views (nothing is computed only in memory:
/// every figure here is also a column of `re_job_report` / `re_image_report`).
public struct REReport: Sendable {
  public struct Figures: Sendable {
    public var model: String
    public var images: Int
    public var questions: Int
    public var unparsable: Int
    public var rePercent: Double
    public var reChannelSumPercent: Double
    public var maeLevels: Double
    public var unparsableRate: Double { questions > 0 ? Double(unparsable) / Double(questions) : 0 }
  }

  public var job: Int64
  public var state: String
  public var model: Figures
  /// baseline:mean and the thumbnails, on the same images and cells.
  public var references: [Figures]
  /// Per image, the model's figures.
  public var images: [(image: String, figures: Figures)]

  /// The thumbnail size whose RE equals the model's, interpolated linearly in RE against log2(k)
  /// between the reference thumbnails (and k = grid, where the RE is 0 by construction).
  public var effectiveResolution: Double? {
    // A thumbnail is its own resolution (its job's references leave its own size out).
    if let k = REReport.thumbnailSize(model.model) { return Double(k) }
    var points: [(k: Double, re: Double)] = references.compactMap { ref in
      guard let k = REReport.thumbnailSize(ref.model) else { return nil }
      return (Double(k), ref.rePercent)
    }.sorted { $0.k < $1.k }
    points.append((Double(grid), 0))
    return REReport.interpolate(points, at: model.rePercent)
  }

  public var grid: Int

  static func thumbnailSize(_ uri: String) -> Int? {
    guard uri.hasPrefix("baseline:thumbnail?k=") else { return nil }
    return Int(uri.dropFirst("baseline:thumbnail?k=".count))
  }

  /// Where `re` falls on the piecewise-linear curve RE(log2 k); nil outside the curve's range.
  static func interpolate(_ points: [(k: Double, re: Double)], at re: Double) -> Double? {
    guard points.count >= 2 else { return nil }
    for (a, b) in zip(points, points.dropFirst()) where a.re >= re && re >= b.re {
      guard a.re > b.re else { return a.k }
      let t = (a.re - re) / (a.re - b.re)
      return pow(2, log2(a.k) + t * (log2(b.k) - log2(a.k)))
    }
    return nil
  }

  public static func load(job: Int64, connection: PGConnection) throws -> REReport {
    let jobs = try connection.query(
      "SELECT kind, state, spec::text FROM jobs WHERE id = $1", [.int(job)])
    guard jobs.count == 1 else { throw PipelineError(.notFound, "job \(job)", "no such job") }
    guard jobs.string(0, 0) == EvalRESpec.kind else {
      throw PipelineError(
        .unknownKind, "job \(job)", "is a \(jobs.string(0, 0) ?? "?") job, not eval-re")
    }
    let spec: EvalRESpec = try JobSpec.decode(jobs.string(0, 2) ?? "", job: job)
    let rows = try connection.query(
      """
      SELECT model, is_reference, images, questions, unparsable, re_percent,
             re_channel_sum_percent, mae_levels
      FROM re_job_report WHERE job_id = $1 ORDER BY is_reference, model
      """, [.int(job)])
    var model: Figures?
    var references: [Figures] = []
    for r in 0..<rows.count {
      let figures = Figures(
        model: rows.string(r, 0) ?? "", images: Int(rows.int(r, 2) ?? 0),
        questions: Int(rows.int(r, 3) ?? 0), unparsable: Int(rows.int(r, 4) ?? 0),
        rePercent: rows.double(r, 5) ?? .nan, reChannelSumPercent: rows.double(r, 6) ?? .nan,
        maeLevels: rows.double(r, 7) ?? .nan)
      if rows.bool(r, 1) == true { references.append(figures) } else { model = figures }
    }
    references.sort { referenceOrder($0.model) < referenceOrder($1.model) }
    let perImage = try connection.query(
      """
      SELECT image, questions, unparsable, re_percent, re_channel_sum_percent, mae_levels
      FROM re_image_report WHERE job_id = $1 AND NOT is_reference ORDER BY image
      """, [.int(job)])
    let images = (0..<perImage.count).map { r in
      let name = perImage.string(r, 0) ?? ""
      return (
        image: name,
        figures: Figures(
          model: spec.model, images: 1, questions: Int(perImage.int(r, 1) ?? 0),
          unparsable: Int(perImage.int(r, 2) ?? 0), rePercent: perImage.double(r, 3) ?? .nan,
          reChannelSumPercent: perImage.double(r, 4) ?? .nan,
          maeLevels: perImage.double(r, 5) ?? .nan)
      )
    }
    return REReport(
      job: job, state: jobs.string(0, 1) ?? "?",
      model: model
        ?? Figures(
          model: spec.model, images: 0, questions: 0, unparsable: 0, rePercent: .nan,
          reChannelSumPercent: .nan, maeLevels: .nan),
      references: references, images: images, grid: spec.grid)
  }

  static func referenceOrder(_ uri: String) -> Int {
    uri == "baseline:mean" ? -1 : (thumbnailSize(uri) ?? Int.max)
  }
}
