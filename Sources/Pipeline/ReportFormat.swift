/// How `status` and `report` print.
public enum ReportFormat: String, Sendable, CaseIterable {
  case text
  case json
}
