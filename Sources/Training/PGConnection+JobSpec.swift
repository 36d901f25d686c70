import Foundation
import Queue

extension PGConnection {
  /// The spec of job `job`, which must be a `kind` job (training reads `reads`, e.g. "gen-pvp
  /// output"). Errors name the job.
  func jobSpec<Spec: Decodable>(_ job: Int64, kind: String, reads: String) throws -> Spec {
    let rows = try query("SELECT kind, spec::text FROM jobs WHERE id = $1", [.int(job)])
    guard rows.count == 1, let found = rows.string(0, 0), let json = rows.string(0, 1) else {
      throw TrainingError(.badData, "job \(job)", "no such job")
    }
    guard found == kind else {
      throw TrainingError(.badData, "job \(job)", "is a \(found) job; training reads \(reads)")
    }
    do {
      return try JSONDecoder().decode(Spec.self, from: Data(json.utf8))
    } catch {
      throw TrainingError(.badData, "job \(job)", "spec does not decode: \(error)")
    }
  }
}
