import Foundation
import Games
import Imaging
public import Queue
import Shards

/// `coordinator render` for play-game (the paper's Fig. 5 idea): a strip of one episode's frames,
/// left to right, with the action chosen on each, as `episode-E.png` and an index.html that
/// lists step, action, answer and reward. Reads only the stored output shard.
public struct GameRenderer {
  public let connection: PGConnection
  public var episode = 0
  /// The first step shown.
  public var from = 0
  /// How many frames the strip holds, and the step distance between them (in stored frames).
  public var frames = 12
  public var every = 1

  public init(connection: PGConnection) {
    self.connection = connection
  }

  @discardableResult
  public func render(job: Int64, to directory: String) throws -> [String] {
    let report = try GameReport.load(job: job, connection: connection)
    guard report.kind == GameSpec.playKind else {
      throw PipelineError(.badOption, "job \(job)", "render draws play-game episodes; this is \(report.kind)")
    }
    guard (0..<report.spec.episodes).contains(episode) else {
      throw PipelineError(
        .badOption, "--episode", "job \(job) has episodes 0..<\(report.spec.episodes), not \(episode)")
    }
    guard frames >= 1, every >= 1, from >= 0 else {
      throw PipelineError(
        .badOption, "--frames", "--frames and --every must be at least 1, --from at least 0")
    }
    // Episode k is shard k.
    let rows = try connection.query(
      "SELECT state, output_digest FROM shards WHERE job_id = $1 AND idx = $2",
      [.int(job), .int(Int64(episode))])
    guard rows.count == 1, rows.string(0, 0) == "done", let digest = rows.string(0, 1) else {
      throw PipelineError(
        .notFound, "job \(job) episode \(episode)", "is not done: its results are not there yet")
    }
    let store = try BlobStores.parse(report.spec.store)
    let reader = try ShardReader(
      bytes: try store.get(digest: digest, on: connection), expectedDigest: digest,
      expectedKind: .gamePlay, name: "job \(job) shard \(episode) (output)")
    guard let played: GamePlayOutput = try reader.next() else {
      throw PipelineError(.badSpec, "job \(job) shard \(episode)", "the output holds no episode")
    }
    let stored = played.steps.indices.filter { $0 >= from && !played.steps[$0].frame.isEmpty }
    let chosen = Array(stride(from: 0, to: stored.count, by: every).map { stored[$0] }.prefix(frames))
    guard !chosen.isEmpty else {
      throw PipelineError(
        .notFound, "job \(job) episode \(episode)",
        "no stored frames from step \(from) on (the job keeps every \(report.spec.frameEvery)-th frame; 0 keeps none)"
      )
    }
    let images = try chosen.map { try ImageDecoder.decode(played.steps[$0].frame, name: "step \($0)") }
    let gap = 4
    let width = images.reduce(0) { $0 + $1.width } + gap * (images.count - 1)
    let height = images.map(\.height).max() ?? 0
    var pixels = [UInt8](repeating: 255, count: width * height * 3)
    var x = 0
    for image in images {
      for row in 0..<image.height {
        let source = row * image.width * 3
        let target = (row * width + x) * 3
        pixels.replaceSubrange(
          target..<(target + image.width * 3), with: image.pixels[source..<(source + image.width * 3)])
      }
      x += image.width + gap
    }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let stripName = "episode-\(episode).png"
    let stripPath = directory + "/" + stripName
    try Data(try PNGEncoder.encode(RGBImage(width: width, height: height, pixels: pixels))).write(
      to: URL(fileURLWithPath: stripPath))
    let reward = played.steps.reduce(0) { $0 + $1.reward }
    var html = """
      <!doctype html><meta charset="utf-8"><title>job \(job) episode \(episode)</title>
      <style>body{font-family:sans-serif} td,th{padding:2px 8px;text-align:left}</style>
      <h1>\(escape(report.spec.model)) plays \(report.spec.game) (\(report.spec.game.environmentID))</h1>
      <p>job \(job), episode \(episode), seed \(played.seed): \(played.steps.count) steps, reward \(String(format: "%.2f", reward))</p>
      <p><img src="\(stripName)" alt="frames"></p>
      <table><tr><th>frame</th><th>step</th><th>action</th><th>answer</th><th>reward</th></tr>

      """
    for (n, step) in chosen.enumerated() {
      let s = played.steps[step]
      html +=
        "<tr><td>\(n + 1)</td><td>\(step)</td><td>\(s.action) \(escape(played.actions[s.action]))\(s.parsed ? "" : " (unparsable: NOOP)")</td>"
        + "<td><code>\(escape(s.answer))</code></td><td>\(String(format: "%.2f", s.reward))</td></tr>\n"
    }
    html += "</table>\n"
    let indexPath = directory + "/index.html"
    try Data(html.utf8).write(to: URL(fileURLWithPath: indexPath))
    return [stripPath, indexPath]
  }

  private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}
