import Foundation
import Imaging
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

  @Test func removingImagesDropsTheirSlotsAndRenumbers() {
    let corpus = ImageCorpus(
      images: ["a.jpg", "b.jpg", "c.jpg"], imageIDs: [7, 8, 9], slotImage: [0, 1, 0, 2, 1], root: "/r")
    let kept = corpus.removing([1])
    #expect(kept.images == ["a.jpg", "c.jpg"])
    #expect(kept.imageIDs == [7, 9])
    #expect(kept.slotImage == [0, 0, 1])
    #expect(kept.root == "/r")
  }

  @Test func theHeaderCheckListsBadImagesInCorpusOrder() throws {
    let root = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let photo = TestEnvironment.photos + "/opencv-apple.jpg"
    for name in ["a.jpg", "c.jpg", "e.jpg"] {
      try FileManager.default.copyItem(atPath: photo, toPath: root.appendingPathComponent(name).path)
    }
    try Data().write(to: root.appendingPathComponent("b.jpg"))
    try Data("not a picture".utf8).write(to: root.appendingPathComponent("d.png"))
    let corpus = try ImageCorpus.directory(root.path)
    for threads in [1, 2, 7] {
      let bad = corpus.badImages(maxPixels: 1 << 30, threads: threads)
      #expect(bad.map(\.image) == [1, 3])
      #expect(bad.map(\.error.code) == [.empty, .unsupportedFormat])
      #expect(bad[0].error.file == root.path + "/b.jpg")
    }
    // The apple is 512 x 512: a lower limit makes every good image bad too.
    #expect(corpus.badImages(maxPixels: 512 * 512 - 1).count == 5)
  }
}
