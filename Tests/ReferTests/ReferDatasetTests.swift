import Foundation
import Refer
import Testing

@Suite struct ReferDatasetTests {
  func load(root: String = Fixtures.referMini, splitBy: String = "unc") throws(ReferError) -> ReferDataset {
    try ReferDataset.load(root: root, dataset: "refcoco", splitBy: splitBy)
  }

  func loadError(root: String, splitBy: String = "unc") -> ReferError? {
    do {
      _ = try load(root: root, splitBy: splitBy)
      return nil
    } catch {
      return error
    }
  }

  // MARK: The fixture, as its README describes it

  @Test func loadsTheFixture() throws {
    let dataset = try load()
    #expect(dataset.name == "refcoco")
    #expect(dataset.splitBy == "unc")
    #expect(dataset.images.count == 3)
    #expect(dataset.annotations.count == 12)
    #expect(dataset.categories == [1: "person", 3: "car", 6: "bus", 44: "bottle", 62: "chair", 63: "couch"])
    #expect(dataset.refs.count == 11)
    #expect(dataset.sentences().count == 20)
    #expect(dataset.splits == ["testA", "testB", "train", "val"])
  }

  @Test(arguments: [("train", 2, 3), ("val", 3, 5), ("testA", 3, 6), ("testB", 3, 6)])
  func splitSizes(split: String, refs: Int, sentences: Int) throws {
    let dataset = try load()
    #expect(dataset.refs.filter { $0.split == split }.count == refs)
    #expect(dataset.sentences(split: split).count == sentences)
    #expect(dataset.sentences(split: split).allSatisfy { $0.split == split && $0.dataset == "refcoco" })
  }

  @Test func firstRefAndItsSentences() throws {
    let dataset = try load()
    let ref = dataset.refs[0]
    #expect(ref.refID == 0)
    #expect(ref.annotationID == 1)
    #expect(ref.imageID == 2_011_000_003)
    #expect(ref.categoryID == 1)
    #expect(ref.split == "testA")
    #expect(
      ref.sentences == [
        ReferSentence(
          dataset: "refcoco", split: "testA", refID: 0, sentID: 0, annotationID: 1, imageID: 2_011_000_003,
          categoryID: 1, sent: "man in the middle wearing a black hat",
          raw: "man in the middle wearing a black hat",
          tokens: ["man", "in", "the", "middle", "wearing", "a", "black", "hat"]),
        ReferSentence(
          dataset: "refcoco", split: "testA", refID: 0, sentID: 1, annotationID: 1, imageID: 2_011_000_003,
          categoryID: 1, sent: "squatting man in a teal and white jacket",
          raw: "Squatting man in a teal and white jacket",
          tokens: ["squatting", "man", "in", "a", "teal", "and", "white", "jacket"]),
      ])
  }

  /// Images come from `instances.json` through `image_id`; a ref's own `file_name` is no file.
  @Test func imagesResolveThroughInstances() throws {
    let dataset = try load()
    for sentence in dataset.sentences() {
      let image = try #require(dataset.image(id: sentence.imageID))
      #expect(FileManager.default.fileExists(atPath: Fixtures.referMini + "/images/" + image.fileName))
      #expect(dataset.annotations[sentence.annotationID]?.imageID == sentence.imageID)
    }
    #expect(
      dataset.image(id: 2_011_000_003)
        == ReferImage(id: 2_011_000_003, fileName: "2011_000003.jpg", width: 500, height: 338))
    // The pickle's file_name for ref 0 is 2011_000003_1.jpg, which does not exist.
    #expect(!FileManager.default.fileExists(atPath: Fixtures.referMini + "/images/2011_000003_1.jpg"))
  }

  /// Annotation 10's bbox ends below its 375-pixel image (README), and is kept as written.
  @Test func annotationFields() throws {
    let annotation = try #require(try load().annotations[10])
    #expect(annotation.imageID == 2_011_000_006)
    #expect(annotation.categoryID == 62)
    #expect(annotation.bbox == [149.71, 193.95, 349.0, 181.43])
    #expect(annotation.area == 44276)
    #expect(!annotation.isCrowd)
    #expect(annotation.box == ReferBox(x1: 149.71, y1: 193.95, x2: 149.71 + 349.0, y2: 193.95 + 181.43))
    guard case .polygons(let polygons) = annotation.segmentation else {
      Issue.record("expected polygons")
      return
    }
    #expect(polygons.count == 1)
    #expect(polygons[0].count == 30)
  }

  // MARK: Errors name the file and the field

  @Test func missingDatasetDirectory() throws {
    let error = try #require(loadError(root: "/nonexistent"))
    #expect(error.code == .missingFile)
    #expect(error.file == "/nonexistent/refcoco/instances.json")
  }

  @Test func missingRefsFile() throws {
    let error = try #require(loadError(root: Fixtures.referMini, splitBy: "umd"))
    #expect(error.code == .missingFile)
    #expect(error.file == Fixtures.referMini + "/refcoco/refs(umd).p")
    #expect(error.description.contains("refs(umd).p"))
  }

  /// Rewrites the copy's `instances.json` through `edit` and loads it.
  func loadEditedInstances(_ edit: (inout [String: Any]) -> Void) throws -> ReferError? {
    let root = try Fixtures.copyOfReferMini()
    defer { try? FileManager.default.removeItem(at: root) }
    let url = root.appendingPathComponent("refcoco/instances.json")
    var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    edit(&json)
    try JSONSerialization.data(withJSONObject: json).write(to: url)
    return loadError(root: root.path)
  }

  @Test func missingImageFileName() throws {
    let error = try #require(
      try loadEditedInstances { json in
        var images = json["images"] as! [[String: Any]]
        images[1].removeValue(forKey: "file_name")
        json["images"] = images
      })
    #expect(error.code == .missingField)
    #expect(error.field == "images[1].file_name")
    #expect(error.file?.hasSuffix("refcoco/instances.json") == true)
  }

  @Test func segmentationOfTheWrongType() throws {
    let error = try #require(
      try loadEditedInstances { json in
        var annotations = json["annotations"] as! [[String: Any]]
        annotations[3]["segmentation"] = [["a", "b"]]
        json["annotations"] = annotations
      })
    #expect(error.code == .badField)
    #expect(error.field?.hasPrefix("annotations[3].segmentation") == true, "\(error)")
  }

  @Test func rleCountsThatDoNotCoverTheImage() throws {
    let error = try #require(
      try loadEditedInstances { json in
        var annotations = json["annotations"] as! [[String: Any]]
        annotations[2]["segmentation"] = ["counts": [1, 2, 3], "size": [338, 500]]
        json["annotations"] = annotations
      })
    #expect(error.code == .badMask)
    #expect(error.field == "annotations[2].segmentation.counts")
  }

  @Test func annotationOfAnUnknownImage() throws {
    let error = try #require(
      try loadEditedInstances { json in
        var annotations = json["annotations"] as! [[String: Any]]
        annotations[0]["image_id"] = 7
        json["annotations"] = annotations
      })
    #expect(error.code == .unknownReference)
    #expect(error.field == "annotations[0].image_id")
  }

  @Test func instancesThatAreNotJSON() throws {
    let root = try Fixtures.copyOfReferMini()
    defer { try? FileManager.default.removeItem(at: root) }
    try Data("{not json".utf8).write(to: root.appendingPathComponent("refcoco/instances.json"))
    let error = try #require(loadError(root: root.path))
    #expect(error.code == .badFile)
  }

  /// Writes `refs` as the copy's `refs(unc).p` and loads it.
  func loadWithRefs(_ refs: [UInt8]) throws -> ReferError? {
    let root = try Fixtures.copyOfReferMini()
    defer { try? FileManager.default.removeItem(at: root) }
    try Data(refs).write(to: root.appendingPathComponent("refcoco/refs(unc).p"))
    return loadError(root: root.path)
  }

  func oneRef(imageID: Int32 = 2_011_000_003, annotationID: Int32 = 1, split: String? = "val") -> [UInt8] {
    var pickle = PickleBytes()
    pickle.list { list in
      list.dict { ref in
        ref.string("ref_id")
        ref.int(0)
        ref.string("ann_id")
        ref.int(annotationID)
        ref.string("image_id")
        ref.int(imageID)
        ref.string("category_id")
        ref.int(1)
        if let split {
          ref.string("split")
          ref.string(split)
        }
        ref.string("sentences")
        ref.list { sentences in
          sentences.dict { sentence in
            sentence.string("sent_id")
            sentence.int(0)
            sentence.string("sent")
            sentence.string("man")
            sentence.string("raw")
            sentence.string("Man.")
            sentence.string("tokens")
            sentence.list { $0.string("man") }
          }
        }
      }
    }
    return pickle.stop()
  }

  @Test func handWrittenRefsLoad() throws {
    let root = try Fixtures.copyOfReferMini()
    defer { try? FileManager.default.removeItem(at: root) }
    try Data(oneRef()).write(to: root.appendingPathComponent("refcoco/refs(unc).p"))
    let dataset = try load(root: root.path)
    #expect(
      dataset.sentences() == [
        ReferSentence(
          dataset: "refcoco", split: "val", refID: 0, sentID: 0, annotationID: 1, imageID: 2_011_000_003,
          categoryID: 1, sent: "man", raw: "Man.", tokens: ["man"])
      ])
  }

  @Test func refWithoutSplit() throws {
    let error = try #require(try loadWithRefs(oneRef(split: nil)))
    #expect(error.code == .missingField)
    #expect(error.field == "[0].split")
    #expect(error.file?.hasSuffix("refs(unc).p") == true)
  }

  @Test func refOfAnUnknownImage() throws {
    let error = try #require(try loadWithRefs(oneRef(imageID: 42)))
    #expect(error.code == .unknownReference)
    #expect(error.field == "[0].image_id")
  }

  @Test func refOfAnUnknownAnnotation() throws {
    let error = try #require(try loadWithRefs(oneRef(annotationID: 99)))
    #expect(error.code == .unknownReference)
    #expect(error.field == "[0].ann_id")
  }

  @Test func refsThatAreNotAPickle() throws {
    let error = try #require(try loadWithRefs(Array("cos\nsystem\n(S'id'\ntR.".utf8)))
    #expect(error.code == .badFile)
    #expect(error.description.contains("GLOBAL"))
  }

  @Test func unknownAnnotationMask() throws {
    #expect(throws: ReferError.self) { try load().rle(annotationID: 999) }
  }
}
