import Foundation

extension ReferDataset {
  /// Reads `<root>/<dataset>/instances.json` and `<root>/<dataset>/refs(<splitBy>).p`, checking that
  /// every ref's image and annotation exist.
  public static func load(root: String, dataset: String, splitBy: String) throws(ReferError) -> ReferDataset {
    let directory = URL(fileURLWithPath: root).appendingPathComponent(dataset)
    let instancesPath = directory.appendingPathComponent("instances.json").path
    let refsPath = directory.appendingPathComponent("refs(\(splitBy)).p").path
    for path in [instancesPath, refsPath] where !FileManager.default.fileExists(atPath: path) {
      throw ReferError(.missingFile, file: path, "file not found")
    }

    let instances = try COCOInstances.load(path: instancesPath)
    var images: [Int: ReferImage] = [:]
    for image in instances.images { images[image.id] = image }
    var annotations: [Int: COCOAnnotation] = [:]
    for (index, annotation) in instances.annotations.enumerated() {
      guard images[annotation.imageID] != nil else {
        throw ReferError(
          .unknownReference, file: instancesPath, field: "annotations[\(index)].image_id",
          "image \(annotation.imageID) is not in images")
      }
      annotations[annotation.id] = annotation
    }
    var categories: [Int: String] = [:]
    for category in instances.categories { categories[category.id] = category.name }

    let pickle: PickleValue
    do {
      pickle = try PickleReader().read(contentsOfFile: refsPath)
    } catch {
      throw ReferError(.badFile, file: refsPath, error.description)
    }
    let refs = try RefsDecoder(file: refsPath, dataset: dataset).refs(from: pickle)
    for (index, ref) in refs.enumerated() {
      guard images[ref.imageID] != nil else {
        throw ReferError(
          .unknownReference, file: refsPath, field: "[\(index)].image_id",
          "image \(ref.imageID) of ref \(ref.refID) is not in \(instancesPath)")
      }
      guard annotations[ref.annotationID] != nil else {
        throw ReferError(
          .unknownReference, file: refsPath, field: "[\(index)].ann_id",
          "annotation \(ref.annotationID) of ref \(ref.refID) is not in \(instancesPath)")
      }
    }
    return ReferDataset(
      name: dataset, splitBy: splitBy, images: images, annotations: annotations,
      categories: categories, refs: refs)
  }
}

/// Turns the decoded pickle (a list of ref dicts) into ``ReferRef`` values, naming the field of
/// any problem as `[index].sentences[i].sent`.
struct RefsDecoder {
  var file: String
  var dataset: String

  func refs(from pickle: PickleValue) throws(ReferError) -> [ReferRef] {
    guard let list = pickle.elements else {
      throw ReferError(.badField, file: file, "expected a list of refs, found a \(pickle.typeName)")
    }
    var refs: [ReferRef] = []
    refs.reserveCapacity(list.count)
    for (index, value) in list.enumerated() {
      refs.append(try ref(value, path: "[\(index)]"))
    }
    return refs
  }

  func ref(_ value: PickleValue, path: String) throws(ReferError) -> ReferRef {
    guard case .dict = value else {
      throw ReferError(.badField, file: file, field: path, "expected a dict, found a \(value.typeName)")
    }
    let refID = try int(value, "ref_id", path)
    let annotationID = try int(value, "ann_id", path)
    let imageID = try int(value, "image_id", path)
    let categoryID = try int(value, "category_id", path)
    let split = try string(value, "split", path)
    let list = try field(value, "sentences", path)
    guard let sentenceValues = list.elements else {
      throw ReferError(
        .badField, file: file, field: path + ".sentences", "expected a list, found a \(list.typeName)")
    }
    var sentences: [ReferSentence] = []
    for (index, sentence) in sentenceValues.enumerated() {
      let sentencePath = "\(path).sentences[\(index)]"
      guard case .dict = sentence else {
        throw ReferError(
          .badField, file: file, field: sentencePath, "expected a dict, found a \(sentence.typeName)")
      }
      let tokenList = try field(sentence, "tokens", sentencePath)
      guard let tokenValues = tokenList.elements else {
        throw ReferError(
          .badField, file: file, field: sentencePath + ".tokens",
          "expected a list, found a \(tokenList.typeName)")
      }
      var tokens: [String] = []
      for (tokenIndex, token) in tokenValues.enumerated() {
        guard let text = token.stringValue else {
          throw ReferError(
            .badField, file: file, field: "\(sentencePath).tokens[\(tokenIndex)]",
            "expected a str, found a \(token.typeName)")
        }
        tokens.append(text)
      }
      sentences.append(
        ReferSentence(
          dataset: dataset, split: split, refID: refID, sentID: try int(sentence, "sent_id", sentencePath),
          annotationID: annotationID, imageID: imageID, categoryID: categoryID,
          sent: try string(sentence, "sent", sentencePath), raw: try string(sentence, "raw", sentencePath),
          tokens: tokens))
    }
    return ReferRef(
      refID: refID, annotationID: annotationID, imageID: imageID, categoryID: categoryID, split: split,
      sentences: sentences)
  }

  func field(_ value: PickleValue, _ key: String, _ path: String) throws(ReferError) -> PickleValue {
    guard let field = value[key] else {
      throw ReferError(.missingField, file: file, field: "\(path).\(key)", "required field is missing")
    }
    return field
  }

  func int(_ value: PickleValue, _ key: String, _ path: String) throws(ReferError) -> Int {
    let field = try field(value, key, path)
    guard let number = field.intValue else {
      throw ReferError(
        .badField, file: file, field: "\(path).\(key)", "expected an int, found a \(field.typeName)")
    }
    return Int(number)
  }

  func string(_ value: PickleValue, _ key: String, _ path: String) throws(ReferError) -> String {
    let field = try field(value, key, path)
    guard let text = field.stringValue else {
      throw ReferError(
        .badField, file: file, field: "\(path).\(key)", "expected a str, found a \(field.typeName)")
    }
    return text
  }
}
