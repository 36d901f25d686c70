import Shards

/// The play-game output record of a shard blob.
struct PlayedEpisode {
  var steps: [GamePlayStep]

  init(blob: [UInt8], digest: String) throws {
    let reader = try ShardReader(bytes: blob, expectedDigest: digest, expectedKind: .gamePlay, name: "output")
    guard let record: GamePlayOutput = try reader.next() else {
      throw ShardError(.badRecord, shard: "output", "no episode")
    }
    steps = record.steps
  }
}
