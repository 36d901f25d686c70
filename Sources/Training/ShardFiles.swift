import Foundation
import Shards

/// Output shard files given on the command line (as the file blob store keeps them).
enum ShardFiles {
  /// Calls `body` with a reader of each file, which must hold `kind` records. Errors name the
  /// file: unreadable (`io`), not a shard of that kind or damaged (`badData`).
  static func forEach(_ paths: [String], kind: RecordKind, _ body: (String, ShardReader) throws -> Void)
    throws
  {
    for path in paths {
      guard let data = FileManager.default.contents(atPath: path) else {
        throw TrainingError(.io, path, "cannot read the shard file")
      }
      do {
        try body(
          path, try ShardReader(bytes: [UInt8](data), expectedDigest: nil, expectedKind: kind, name: path))
      } catch let error as ShardError {
        throw TrainingError(.badData, path, "\(error)")
      }
    }
  }

  /// How a set of files is named in logs and errors.
  static func name(_ paths: [String]) -> String {
    paths.count == 1 ? paths[0] : "\(paths.count) shard files"
  }
}
