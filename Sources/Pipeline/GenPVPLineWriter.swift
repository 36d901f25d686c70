import Model

/// Writes exported questions as JSON lines or as MiniGPT-v2's JSON array.
struct GenPVPLineWriter {
  let spec: GenPVPSpec
  let format: ExportFormat
  let sink: OutputSink
  private(set) var written = 0

  init(spec: GenPVPSpec, format: ExportFormat, sink: OutputSink) {
    self.spec = spec
    self.format = format
    self.sink = sink
  }

  func begin() {
    if format == .minigpt { sink.write("[\n") }
  }

  mutating func write(
    index: UInt64, image: String, _ row: UInt16, _ col: UInt16, _ r: UInt8, _ g: UInt8, _ b: UInt8
  ) {
    let question = TaskFormat.pixelQuestion(row: Int(row), col: Int(col), order: spec.locOrder)
    let text = TaskFormat.pixelAnswer(r: r, g: g, b: b)
    switch format {
    case .jsonl:
      sink.write(
        #"{"index":\#(index),"image":\#(jsonLiteral(image)),"row":\#(row),"col":\#(col),"question":\#(jsonLiteral(question)),"answer":"\#(text)"}"#
          + "\n")
    case .minigpt:
      if written > 0 { sink.write(",\n") }
      sink.write(
        #"{"image":\#(jsonLiteral(image)),"instruction_input":\#(jsonLiteral(TaskFormat.minigptInstruction(question))),"answer":"\#(text)"}"#
      )
    }
    written += 1
  }

  func end() {
    if format == .minigpt { sink.write("\n]\n") }
    sink.flush()
  }
}
