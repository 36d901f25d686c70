import Foundation
import Model

extension ScoreRefCOCOReport {
  /// The paper's name of a dataset (RefCOCO, RefCOCO+, RefCOCOg).
  static func displayName(_ dataset: String) -> String {
    switch dataset {
    case "refcoco": "RefCOCO"
    case "refcoco+": "RefCOCO+"
    case "refcocog": "RefCOCOg"
    default: dataset
    }
  }

  static func percent(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "-" }
    return String(format: "%.2f", value * 100)
  }

  /// Columns: the model name, then `leading` (e.g. avg), then one per split, then `trailing`, with
  /// a header line naming each dataset over its first split.
  static func table(
    title: String, splits: [(dataset: String, split: String)],
    rows: [(label: String, leading: [String], values: [String], trailing: [String])],
    leading: [String], trailing: [String]
  ) -> [String] {
    let labelWidth = max(7, (rows.map(\.label.count).max() ?? 0) + 2)
    let width = 9
    var groups = StatusReport.pad("", labelWidth) + String(repeating: " ", count: width * leading.count)
    var previous: String?
    for split in splits {
      groups += StatusReport.pad(split.dataset == previous ? "" : displayName(split.dataset), width)
      previous = split.dataset
    }
    var header = StatusReport.pad("MODEL", labelWidth)
    for name in leading + splits.map(\.split) + trailing { header += StatusReport.pad(name, width) }
    var lines = [title, groups.trimmingTrailingSpaces(), header.trimmingTrailingSpaces()]
    for row in rows {
      var line = StatusReport.pad(row.label, labelWidth)
      for value in row.leading + row.values + row.trailing { line += StatusReport.pad(value, width) }
      lines.append(line.trimmingTrailingSpaces())
    }
    return lines
  }

  var splitNames: [(dataset: String, split: String)] { splits.map { ($0.dataset, $0.split) } }

  public func text() -> String {
    var lines: [String] = []
    let perSentence = sentences > 0 ? Double(questions) / Double(sentences) : 0
    lines.append(
      "score-refcoco job \(job) (\(state)): \(spec.model), --box \(spec.box.rawValue), grid \(spec.grid), seed \(spec.seed)"
    )
    lines.append(
      "  \(sentences) of \(planned) sentences scored, \(questions) questions (\(String(format: "%.1f", perSentence)) per sentence), \(unparsable) unparsable (\(recUnparsable) REC answers)"
    )
    lines.append(
      "  subset: \(spec.perSplit) sentences per split drawn with seed \(spec.seed), recorded in refcoco_subsets (--format json lists them)"
    )
    lines.append("")
    lines += Self.table(
      title: "Referring segmentation, mask cIoU % (paper Table 3 layout)", splits: splitNames,
      rows: [(spec.model, [Self.percent(averageCIoU)], splits.map { Self.percent($0.ciou) }, [])],
      leading: ["avg"], trailing: [])
    lines.append("")
    lines += Self.table(
      title: "gIoU % (mean per-sentence IoU, an empty union counting 100)", splits: splitNames,
      rows: [(spec.model, [Self.percent(averageGIoU)], splits.map { Self.percent($0.giou) }, [])],
      leading: ["avg"], trailing: [])
    lines.append("")
    lines += Self.table(
      title: "REC accuracy @0.5 % (paper Table 6 layout)", splits: splitNames,
      rows: [
        (spec.model, [], splits.map { Self.percent($0.recAccuracy) }, [Self.percent(averageRecAccuracy)])
      ],
      leading: [], trailing: ["Average"])
    lines.append("")
    lines.append(
      StatusReport.pad("SPLIT", 20) + StatusReport.pad("SENTENCES", 11) + StatusReport.pad("cIoU %", 9)
        + StatusReport.pad("gIoU %", 9) + StatusReport.pad("REC %", 9) + StatusReport.pad("Q/SENT", 9)
        + "UNPARSABLE")
    for split in splits {
      let q = split.sentences > 0 ? Double(split.questions) / Double(split.sentences) : 0
      lines.append(
        StatusReport.pad("\(split.dataset) \(split.split)", 20)
          + StatusReport.pad("\(split.sentences)/\(split.planned)", 11)
          + StatusReport.pad(Self.percent(split.ciou), 9) + StatusReport.pad(Self.percent(split.giou), 9)
          + StatusReport.pad(Self.percent(split.recAccuracy), 9)
          + StatusReport.pad(String(format: "%.1f", q), 9) + "\(split.unparsable)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  public func json() -> String {
    let perSplit = splits.map { s in
      #"{"dataset":\#(jsonLiteral(s.dataset)),"split":\#(jsonLiteral(s.split)),"sentences":\#(s.sentences),"planned":\#(s.planned),"ciou":\#(StatusReport.number(s.ciou)),"giou":\#(StatusReport.number(s.giou)),"rec_acc":\#(StatusReport.number(s.recAccuracy)),"intersection":\#(s.intersection),"union":\#(s.union),"questions":\#(s.questions),"mask_questions":\#(s.maskQuestions),"unparsable":\#(s.unparsable),"rec_unparsable":\#(s.recUnparsable),"subset":[\#(s.subset.map { "[\($0.refID),\($0.sentID)]" }.joined(separator: ","))]}"#
    }
    return
      #"{"job":\#(job),"kind":"score-refcoco","state":\#(jsonLiteral(state)),"model":\#(jsonLiteral(spec.model)),"box":\#(jsonLiteral(spec.box.rawValue)),"grid":\#(spec.grid),"seed":\#(spec.seed),"per_split":\#(spec.perSplit),"sentences":\#(sentences),"planned":\#(planned),"questions":\#(questions),"unparsable":\#(unparsable),"rec_unparsable":\#(recUnparsable),"avg_ciou":\#(StatusReport.number(averageCIoU)),"avg_giou":\#(StatusReport.number(averageGIoU)),"avg_rec_acc":\#(StatusReport.number(averageRecAccuracy)),"splits":[\#(perSplit.joined(separator: ","))]}"#
      + "\n"
  }

  public func csv() -> String {
    var lines = ["job,model,dataset,split,sentences,ciou,giou,rec_acc,questions,unparsable"]
    for s in splits {
      lines.append(
        "\(job),\(csvField(spec.model)),\(csvField(s.dataset)),\(csvField(s.split)),\(s.sentences),\(StatusReport.number(s.ciou)),\(StatusReport.number(s.giou)),\(StatusReport.number(s.recAccuracy)),\(s.questions),\(s.unparsable)"
      )
    }
    lines.append(
      "\(job),\(csvField(spec.model)),*,avg,\(sentences),\(StatusReport.number(averageCIoU)),\(StatusReport.number(averageGIoU)),\(StatusReport.number(averageRecAccuracy)),\(questions),\(unparsable)"
    )
    return lines.joined(separator: "\n") + "\n"
  }

  /// Several jobs as rows of one cIoU table (the paper's Table 3 / Table 7), columns from the first
  /// job's splits; then their REC accuracy (Table 6).
  public static func compare(_ reports: [ScoreRefCOCOReport]) -> String {
    guard let first = reports.first else { return "" }
    let columns = first.splitNames
    func values(_ report: ScoreRefCOCOReport, _ figure: (Split) -> Double?) -> [String] {
      columns.map { column in
        report.splits.first { $0.dataset == column.dataset && $0.split == column.split }
          .map { percent(figure($0)) } ?? "-"
      }
    }
    func label(_ report: ScoreRefCOCOReport) -> String {
      "\(report.job) \(report.spec.model) (--box \(report.spec.box.rawValue))"
    }
    var lines = table(
      title: "mask cIoU % (paper Table 3 / Table 7 layout)", splits: columns,
      rows: reports.map { (label($0), [percent($0.averageCIoU)], values($0, \.ciou), []) },
      leading: ["avg"], trailing: [])
    lines.append("")
    lines += table(
      title: "REC accuracy @0.5 % (paper Table 6 layout)", splits: columns,
      rows: reports.map { (label($0), [], values($0, \.recAccuracy), [percent($0.averageRecAccuracy)]) },
      leading: [], trailing: ["Average"])
    return lines.joined(separator: "\n") + "\n"
  }
}

extension String {
  func trimmingTrailingSpaces() -> String {
    var s = self
    while s.last == " " { s.removeLast() }
    return s
  }
}
