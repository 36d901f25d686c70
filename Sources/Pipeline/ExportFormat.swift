/// What `coordinator export` writes.
public enum ExportFormat: String, Sendable, CaseIterable {
  /// One JSON object per line.
  case jsonl
  /// A JSON array of MiniGPT-v2 style samples (`image`, `instruction_input`, `answer`).
  case minigpt
}
