import Foundation

// Writes the shard_reader seed corpus (`fuzz/run.sh seeds`): a small valid shard of every record
// kind, as mode 0 (CRCs recomputed) and mode 1 (as is) inputs, plus mode 2 and 3 record streams.
@main
struct Seeds {
  static func main() throws {
    let directory = CommandLine.arguments[1]
    var blobs: [(String, [UInt8])] = []

    var pvpIn = try ShardWriter(kind: .pvpInput, metadata: #"{"kind":"gen-pvp","shard":0}"#)
    try pvpIn.append(
      PVPImageQuestions(
        image: "a.jpg", imageID: 7,
        questions: [PVPLocation(index: 0, row: 1, col: 2), PVPLocation(index: 5, row: 63, col: 0)]))
    try pvpIn.append(PVPImageQuestions(image: "b/ü.png", imageID: -1, questions: []))
    blobs.append(("pvp-input", try pvpIn.finish().bytes))

    var pvpOut = try ShardWriter(kind: .pvpOutput, metadata: nil)
    try pvpOut.append(
      PVPImageAnswers(
        image: "a.jpg", imageID: 7,
        answers: [PVPAnswer(index: 0, row: 1, col: 2, r: 3, g: 4, b: 5)]))
    blobs.append(("pvp-output", try pvpOut.finish().bytes))

    var reIn = try ShardWriter(kind: .reInput, metadata: #"{"kind":"eval-re","shard":1}"#)
    try reIn.append(
      REImageInput(
        image: "x.png", encoded: [0x89, 0x50, 0x4E, 0x47], grid: 2, target: Array(0..<12),
        cells: [0, 3]))
    blobs.append(("re-input", try reIn.finish().bytes))

    var reOut = try ShardWriter(kind: .reOutput, metadata: nil)
    try reOut.append(
      REImageOutput(
        image: "x.png", grid: 2, target: Array(0..<12), cells: [0, 3],
        answers: ["[0,1,2]", "I cannot tell"], parsed: [[0, 1, 2], nil]))
    blobs.append(("re-output", try reOut.finish().bytes))

    var reOut2 = try ShardWriter(kind: .reOutputCompact, metadata: nil)
    try reOut2.append(
      REImageOutputCompact(
        REImageOutput(
          image: "x.png", grid: 2, target: Array(0..<12), cells: [0, 1, 3],
          answers: ["[0,1,2]", " [4,5,6]", "I cannot tell"], parsed: [[0, 1, 2], [4, 5, 6], nil])))
    blobs.append(("re-output-compact", try reOut2.finish().bytes))

    for (name, blob) in blobs {
      try Data([0] + blob).write(to: URL(fileURLWithPath: "\(directory)/\(name)-fixed"))
      try Data([1] + blob).write(to: URL(fileURLWithPath: "\(directory)/\(name)-exact"))
    }
    // Mode 2: kind byte, then one-byte-length records; mode 3: kind, count, unframed bytes.
    try Data([2, 0, 3, 1, 2, 3, 0]).write(to: URL(fileURLWithPath: "\(directory)/records"))
    try Data([3, 2, 1, 4, 0, 0, 0, 0]).write(to: URL(fileURLWithPath: "\(directory)/stream"))
  }
}
