import Foundation
import Testing

/// Paths to the committed test data, found from this file's location (no bundle resources).
enum TestData {
  /// The repository root: `Tests/ImagingTests/TestData.swift` is three levels below it.
  static let root: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static let photos = root.appendingPathComponent("data/photos")
  static let photoTargets = root.appendingPathComponent("data/photos-64")
  static let fixtures = root.appendingPathComponent("Tests/Fixtures/Imaging")
  static let fixtureFiles = fixtures.appendingPathComponent("files")
  static let expected = fixtures.appendingPathComponent("expected")

  static func bytes(_ url: URL) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: url))
  }

  /// The photo file names in `data/photos` (JPEG and PNG).
  static var photoNames: [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: photos.path)) ?? []
    return names.filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }.sorted()
  }

  static let manifest: Manifest = {
    let url = fixtures.appendingPathComponent("manifest.json")
    do {
      return try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url))
    } catch {
      fatalError("cannot read \(url.path): \(error)")
    }
  }()
}

/// `Fixtures/manifest.json`, written by `Fixtures/make_fixtures.py` with Pillow.
struct Manifest: Decodable, Sendable {
  struct DecodeCase: Decodable, Sendable, CustomTestStringConvertible {
    var file: String
    var what: String
    var pillowMode: String
    var width: Int
    var height: Int
    var rgb: String
    var gray: String
    var testDescription: String { file }
  }

  struct BrokenCase: Decodable, Sendable, CustomTestStringConvertible {
    var file: String
    var code: String
    var what: String
    var pillow: String
    var testDescription: String { file }
  }

  struct ResizeCase: Decodable, Sendable, CustomTestStringConvertible {
    var source: String
    var filter: String
    var width: Int
    var height: Int
    var expected: String
    var testDescription: String { expected }
  }

  struct GrayResizeCase: Decodable, Sendable, CustomTestStringConvertible {
    var source: String
    var width: Int
    var height: Int
    var expected: String
    var testDescription: String { expected }
  }

  var decode: [DecodeCase]
  var broken: [BrokenCase]
  var resize: [ResizeCase]
  var grayNearest: [GrayResizeCase]
  var pillow: String
}
