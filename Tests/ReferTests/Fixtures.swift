import Foundation

/// Paths of the committed fixtures: `data/refer-mini/` and `Tests/ReferTests/Fixtures/`.
enum Fixtures {
  static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
  /// The `refer` data root of the mini fixture (holds `refcoco/`).
  static let referMini = repositoryRoot.appendingPathComponent("data/refer-mini").path
  static let refsPath = referMini + "/refcoco/refs(unc).p"

  static func path(_ name: String) -> String {
    testsDirectory.appendingPathComponent("Fixtures").appendingPathComponent(name).path
  }

  static func bytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// A JSON fixture file, decoded.
  static func json<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: path(name))))
  }

  /// A fresh empty directory under the system temporary directory.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "refer-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// A copy of `data/refer-mini/refcoco` in a temporary `<root>/refcoco`, returning `<root>`.
  static func copyOfReferMini() throws -> URL {
    let root = try temporaryDirectory()
    try FileManager.default.copyItem(
      atPath: referMini + "/refcoco", toPath: root.appendingPathComponent("refcoco").path)
    return root
  }

  /// Run lengths (`size`, `counts`) as the JSON fixtures store them.
  struct Runs: Decodable {
    var size: [Int]
    var counts: [UInt32]

    /// The row-major 0/1 mask these column-major runs describe, expanded the plain way.
    func mask() -> [UInt8] {
      let height = size[0]
      let width = size[1]
      var columnMajor: [UInt8] = []
      for (index, count) in counts.enumerated() {
        columnMajor += [UInt8](repeating: UInt8(index % 2), count: Int(count))
      }
      var mask = [UInt8](repeating: 0, count: height * width)
      for x in 0..<width {
        for y in 0..<height { mask[y * width + x] = columnMajor[x * height + y] }
      }
      return mask
    }
  }
}

/// Builds protocol-2 pickles opcode by opcode for hand-made test inputs.
struct PickleBytes {
  var bytes: [UInt8] = [0x80, 0x02]

  mutating func raw(_ values: [UInt8]) { bytes += values }
  mutating func string(_ text: String) {
    let utf8 = Array(text.utf8)
    bytes += [0x58] + withUnsafeBytes(of: UInt32(utf8.count).littleEndian, Array.init) + utf8
  }
  mutating func int(_ value: Int32) {
    bytes += [0x4A] + withUnsafeBytes(of: value.littleEndian, Array.init)
  }
  mutating func mark() { bytes.append(0x28) }
  mutating func emptyList() { bytes.append(0x5D) }
  mutating func emptyDict() { bytes.append(0x7D) }
  mutating func appends() { bytes.append(0x65) }
  mutating func setItems() { bytes.append(0x75) }
  mutating func stop() -> [UInt8] { bytes + [0x2E] }

  /// A dict of string keys, whose values are written by `body` as key/value opcode pairs.
  mutating func dict(_ body: (inout PickleBytes) -> Void) {
    emptyDict()
    mark()
    body(&self)
    setItems()
  }

  mutating func list(_ body: (inout PickleBytes) -> Void) {
    emptyList()
    mark()
    body(&self)
    appends()
  }
}
