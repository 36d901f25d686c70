import Foundation
import Model

extension REReport {
  static func fixed(_ value: Double, _ digits: Int = 2) -> String {
    value.isFinite ? String(format: "%.\(digits)f", value) : "-"
  }

  var effectiveResolutionText: String {
    if let k = effectiveResolution { return String(format: "%.1f x %.1f", k, k) }
    let coarsest = references.filter { REReport.thumbnailSize($0.model) != nil }.first
    if let coarsest, model.rePercent > coarsest.rePercent {
      return
        "below \(REReport.thumbnailSize(coarsest.model) ?? 0) x \(REReport.thumbnailSize(coarsest.model) ?? 0)"
    }
    return "-"
  }

  public func text() -> String {
    var lines: [String] = []
    lines.append("eval-re job \(job) (\(state)): \(model.model)")
    lines.append(
      "  \(model.images) images, \(model.questions) questions, \(model.unparsable) unparsable (\(REReport.fixed(model.unparsableRate * 100))%)"
    )
    lines.append("")
    let width = max(30, ([model] + references).map { $0.model.count + 2 }.max() ?? 0)
    lines.append(
      StatusReport.pad("MODEL", width) + StatusReport.pad("RE %", 9) + StatusReport.pad("RE sum %", 10)
        + StatusReport.pad("MAE lv", 8) + "UNPARSABLE")
    for figures in [model] + references {
      lines.append(
        StatusReport.pad(figures.model, width) + StatusReport.pad(REReport.fixed(figures.rePercent), 9)
          + StatusReport.pad(REReport.fixed(figures.reChannelSumPercent), 10)
          + StatusReport.pad(REReport.fixed(figures.maeLevels, 1), 8) + "\(figures.unparsable)")
    }
    lines.append("")
    lines.append("effective resolution: \(effectiveResolutionText) (the thumbnail size with the same RE)")
    lines.append("(paper, Table 2: adapted encoder 6.65, frozen encoder 20.38)")
    lines.append("")
    lines.append(
      StatusReport.pad("IMAGE", 34) + StatusReport.pad("RE %", 9) + StatusReport.pad("MAE lv", 8)
        + "UNPARSABLE")
    for (image, figures) in images {
      lines.append(
        StatusReport.pad(image, 34) + StatusReport.pad(REReport.fixed(figures.rePercent), 9)
          + StatusReport.pad(REReport.fixed(figures.maeLevels, 1), 8) + "\(figures.unparsable)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func json(_ figures: Figures) -> String {
    #""questions":\#(figures.questions),"unparsable":\#(figures.unparsable),"re_percent":\#(StatusReport.number(figures.rePercent)),"re_channel_sum_percent":\#(StatusReport.number(figures.reChannelSumPercent)),"mae_levels":\#(StatusReport.number(figures.maeLevels))"#
  }

  public func json() -> String {
    let refs = references.map { #"{"model":\#(jsonLiteral($0.model)),\#(REReport.json($0))}"# }
    let perImage = images.map { #"{"image":\#(jsonLiteral($0.image)),\#(REReport.json($0.figures))}"# }
    return
      #"{"job":\#(job),"state":\#(jsonLiteral(state)),"model":\#(jsonLiteral(model.model)),"images_count":\#(model.images),\#(REReport.json(model)),"effective_resolution":\#(StatusReport.number(effectiveResolution)),"references":[\#(refs.joined(separator: ","))],"images":[\#(perImage.joined(separator: ","))]}"#
      + "\n"
  }

  public func csv() -> String {
    var lines = [
      "job,model,is_reference,image,questions,unparsable,re_percent,re_channel_sum_percent,mae_levels"
    ]
    func line(_ image: String, _ f: Figures, reference: Bool) {
      lines.append(
        "\(job),\(csvField(f.model)),\(reference),\(csvField(image)),\(f.questions),\(f.unparsable),\(StatusReport.number(f.rePercent)),\(StatusReport.number(f.reChannelSumPercent)),\(StatusReport.number(f.maeLevels))"
      )
    }
    line("*", model, reference: false)
    for ref in references { line("*", ref, reference: true) }
    for (image, figures) in images { line(image, figures, reference: false) }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Several jobs side by side, like the paper's Table 2.
  public static func compare(_ reports: [REReport]) -> String {
    // The model column widens for long names (native:PATH) so the figures stay aligned.
    let names = reports.map(\.model.model) + (reports.first?.references.map(\.model) ?? [])
    let width = max(34, (names.map(\.count).max() ?? 0) + 2)
    var lines = [
      StatusReport.pad("JOB", 6) + StatusReport.pad("MODEL", width) + StatusReport.pad("IMAGES", 8)
        + StatusReport.pad("RE %", 9) + StatusReport.pad("RE sum %", 10) + StatusReport.pad("MAE lv", 8)
        + StatusReport.pad("UNPARS %", 10) + "EFFECTIVE RES"
    ]
    for report in reports {
      let m = report.model
      lines.append(
        StatusReport.pad("\(report.job)", 6) + StatusReport.pad(m.model, width)
          + StatusReport.pad("\(m.images)", 8) + StatusReport.pad(fixed(m.rePercent), 9)
          + StatusReport.pad(fixed(m.reChannelSumPercent), 10) + StatusReport.pad(fixed(m.maeLevels, 1), 8)
          + StatusReport.pad(fixed(m.unparsableRate * 100), 10) + report.effectiveResolutionText)
    }
    if let first = reports.first {
      lines.append("references on job \(first.job)'s images:")
      for ref in first.references {
        lines.append(
          StatusReport.pad("", 6) + StatusReport.pad(ref.model, width) + StatusReport.pad("\(ref.images)", 8)
            + StatusReport.pad(fixed(ref.rePercent), 9) + StatusReport.pad(fixed(ref.reChannelSumPercent), 10)
            + fixed(ref.maeLevels, 1))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

func csvField(_ text: String) -> String {
  guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
  return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
