import Foundation
import Pipeline
import Testing

@Suite struct ImageCorpusTests {
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pixelprobe-corpus-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test func directoryListsImagesRecursivelyInByteOrder() throws {
    let root = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.createDirectory(
      at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
    for name in ["b.jpg", "A.png", "sub/c.JPEG", "notes.txt", "sub/d.gif"] {
      try Data([1]).write(to: root.appendingPathComponent(name))
    }
    let corpus = try ImageCorpus.directory(root.path)
    #expect(corpus.images == ["A.png", "b.jpg", "sub/c.JPEG"])
    #expect(corpus.slotImage == [0, 1, 2])
    #expect(corpus.imageIDs == [-1, -1, -1])
  }

  @Test func captionsGiveOneSlotPerRow() throws {
    let root = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let json = """
      [{"image": "train2014/x.jpg", "caption": "a cat", "image_id": 7},
       {"image": "train2014/y.jpg", "caption": "a dog", "image_id": 9},
       {"image": "train2014/x.jpg", "caption": "a cat again", "image_id": 7}]
      """
    let file = root.appendingPathComponent("captions.json")
    try Data(json.utf8).write(to: file)
    let corpus = try ImageCorpus.captions(json: file.path, root: root.path)
    #expect(corpus.images == ["train2014/x.jpg", "train2014/y.jpg"])
    #expect(corpus.imageIDs == [7, 9])
    #expect(corpus.slotImage == [0, 1, 0])
    #expect(corpus.slotCount == 3)
  }

  @Test(arguments: [
    (#"{"image": "x.jpg"}"#, "JSON array"), ("[{\"caption\": \"no image\"}]", "row 0"),
    ("not json", "not valid JSON"), ("[]", "no rows"),
  ])
  func badCaptionFilesAreNamed(_ json: String, _ mention: String) throws {
    let root = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let file = root.appendingPathComponent("captions.json")
    try Data(json.utf8).write(to: file)
    do {
      _ = try ImageCorpus.captions(json: file.path, root: root.path)
      Issue.record("accepted \(json)")
    } catch {
      #expect("\(error)".contains(file.path))
      #expect("\(error)".contains(mention), "\(error)")
    }
  }

  @Test func fingerprintChangesWithTheSlots() throws {
    let a = ImageCorpus(images: ["a", "b"], imageIDs: [-1, -1], slotImage: [0, 1], root: "/")
    let b = ImageCorpus(images: ["a", "b"], imageIDs: [-1, -1], slotImage: [1, 0], root: "/")
    #expect(a.fingerprint != b.fingerprint)
    #expect(a.fingerprint == a.fingerprint)
  }
}
