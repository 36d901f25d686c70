import Foundation
import Model
public import Queue
import Shards

/// Streams a gen-game job's expert observations, episode by episode, one JSON object per line:
/// `episode`, `step`, `frames` (the stacked frames, oldest first, as base64 PNG), `question`
/// (the paper's template text after the frames), `action` (index), `action_name`, and `answer`
/// (the training target: the action's number as text). A play-game job exports its steps:
/// `episode`, `step`, `action`, `action_name`, `answer` (the model's raw text), `parsed`, `reward`.
public struct GameExporter {
  public let connection: PGConnection

  public init(connection: PGConnection) {
    self.connection = connection
  }

  @discardableResult
  public func export(job: Int64, kind: String, spec: GameSpec, to sink: OutputSink) throws -> Int {
    let store = try BlobStores.parse(spec.store)
    var count = 0
    let shards = OutputShards(connection: connection, job: job, store: store)
    if kind == GameSpec.genKind {
      try shards.forEach(kind: .gameObservation) { _, reader in
        while let record: GameObservationRecord = try reader.next() {
          let frames = record.frames.map { "\"" + Data($0).base64EncodedString() + "\"" }
          sink.write(
            #"{"episode":\#(record.episode),"step":\#(record.step),"frames":[\#(frames.joined(separator: ","))],"question":\#(jsonLiteral(record.question)),"action":\#(record.action),"action_name":\#(jsonLiteral(record.actionName)),"answer":"\#(record.action)"}"#
              + "\n")
          count += 1
        }
      }
    } else {
      try shards.forEach(kind: .gamePlay) { _, reader in
        while let record: GamePlayOutput = try reader.next() {
          for (n, step) in record.steps.enumerated() {
            sink.write(
              #"{"episode":\#(record.episode),"step":\#(n),"action":\#(step.action),"action_name":\#(jsonLiteral(record.actions[step.action])),"answer":\#(jsonLiteral(step.answer)),"parsed":\#(step.parsed),"reward":\#(step.reward)}"#
                + "\n")
            count += 1
          }
        }
      }
    }
    sink.flush()
    return count
  }
}
