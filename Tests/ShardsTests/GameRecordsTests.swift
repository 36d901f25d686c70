import Testing

@testable import Shards

@Suite struct GameRecordsTests {
  /// Bytes worked out by hand from the layouts in docs/games.md.
  @Test func episodeInputLayout() throws {
    let input = GameEpisodeInput(episode: 3, seed: 300)
    var writer = ByteWriter()
    input.encode(into: &writer)
    #expect(writer.bytes == bytes(hex: "03 ac02"))
    var reader = ByteReader(writer.bytes)
    #expect(try GameEpisodeInput.decode(from: &reader) == input)
    #expect(reader.isAtEnd)
  }

  @Test func playOutputLayout() throws {
    let output = GamePlayOutput(
      episode: 1, seed: 2, game: "g", model: "m", actions: ["A", "B"],
      steps: [GamePlayStep(action: 1, parsed: false, answer: "x", reward: 1.0, frame: [0x89])])
    var writer = ByteWriter()
    output.encode(into: &writer)
    // episode | seed | "g" | "m" | 2 actions "A" "B" | 1 step: action 1, unparsed, "x",
    // 1.0 float64 LE, frame of 1 byte
    let expected = bytes(
      hex: "01 02 0167 016d 02 0141 0142 01 01 00 0178 000000000000f03f 0189")
    #expect(writer.bytes == expected)
    var reader = ByteReader(writer.bytes)
    #expect(try GamePlayOutput.decode(from: &reader) == output)
    #expect(reader.isAtEnd)
  }

  @Test func playOutputRefusesAnActionOutsideItsList() throws {
    var writer = ByteWriter()
    GamePlayOutput(
      episode: 0, seed: 0, game: "g", model: "m", actions: ["A"],
      steps: [GamePlayStep(action: 1, parsed: true, answer: "", reward: 0, frame: [])]
    ).encode(into: &writer)
    var reader = ByteReader(writer.bytes)
    #expect(throws: ShardError.self) { try GamePlayOutput.decode(from: &reader) }
  }

  @Test func observationLayout() throws {
    let record = GameObservationRecord(
      episode: 2, step: 130, frames: [[1], [2, 3]], question: "q?", action: 4, actionName: "GAS")
    var writer = ByteWriter()
    record.encode(into: &writer)
    // episode | step 130 (varint 82 01) | 2 frames [01] [02 03] | "q?" | 4 | "GAS"
    #expect(writer.bytes == bytes(hex: "02 8201 02 0101 020203 02713f 04 03474153"))
    var reader = ByteReader(writer.bytes)
    #expect(try GameObservationRecord.decode(from: &reader) == record)
    #expect(reader.isAtEnd)
  }
}
