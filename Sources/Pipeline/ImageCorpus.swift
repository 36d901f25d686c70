import Foundation

/// The images a job samples from, and its sample slots.
///
/// A plain directory gives one slot per image; a COCO-caption (karpathy) JSON gives one slot per
/// caption row, as the released training code does, so an image with five captions is drawn five
/// times as often.
public struct ImageCorpus: Sendable {
  /// Image paths relative to `root`, each once, in first-seen order.
  public var images: [String]
  /// COCO image_id per image (-1 for a plain directory).
  public var imageIDs: [Int64]
  /// Slot -> index into `images`.
  public var slotImage: [Int32]
  public var root: String

  public init(images: [String], imageIDs: [Int64], slotImage: [Int32], root: String) {
    self.images = images
    self.imageIDs = imageIDs
    self.slotImage = slotImage
    self.root = root
  }

  public var slotCount: Int { slotImage.count }

  static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

  /// Every JPEG/PNG under `root` (recursively), in byte order of their relative paths.
  public static func directory(_ root: String) throws(PipelineError) -> ImageCorpus {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory),
      isDirectory.boolValue
    else { throw PipelineError(.missingInput, root, "image directory does not exist") }
    guard let walker = FileManager.default.enumerator(atPath: root) else {
      throw PipelineError(.missingInput, root, "image directory cannot be read")
    }
    var paths: [String] = []
    while let entry = walker.nextObject() as? String {
      let ext = (entry as NSString).pathExtension.lowercased()
      if imageExtensions.contains(ext) { paths.append(entry) }
    }
    paths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    guard !paths.isEmpty else {
      throw PipelineError(.emptyCorpus, root, "no .jpg, .jpeg or .png images found")
    }
    return ImageCorpus(
      images: paths, imageIDs: Array(repeating: -1, count: paths.count),
      slotImage: (0..<paths.count).map { Int32($0) }, root: root)
  }

  /// A COCO-caption / karpathy JSON: `[{"image": "train2014/x.jpg", "caption": ..., "image_id": ...}]`.
  public static func captions(json path: String, root: String) throws(PipelineError) -> ImageCorpus {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory),
      isDirectory.boolValue
    else { throw PipelineError(.missingInput, root, "image root does not exist") }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PipelineError(.missingInput, path, "caption file cannot be read")
    }
    let rows: [Any]
    do {
      guard let parsed = try JSONSerialization.jsonObject(with: data) as? [Any] else {
        throw PipelineError(.badCorpus, path, "expected a JSON array of caption rows")
      }
      rows = parsed
    } catch let error as PipelineError {
      throw error
    } catch {
      throw PipelineError(.badCorpus, path, "not valid JSON (\(error.localizedDescription))")
    }
    var corpus = ImageCorpus(images: [], imageIDs: [], slotImage: [], root: root)
    var index: [String: Int32] = [:]
    corpus.slotImage.reserveCapacity(rows.count)
    for (n, row) in rows.enumerated() {
      guard let object = row as? [String: Any], let image = object["image"] as? String,
        !image.isEmpty
      else { throw PipelineError(.badCorpus, path, "row \(n) has no \"image\" string") }
      if let known = index[image] {
        corpus.slotImage.append(known)
        continue
      }
      let id = Int32(corpus.images.count)
      index[image] = id
      corpus.images.append(image)
      corpus.imageIDs.append((object["image_id"] as? NSNumber)?.int64Value ?? -1)
      corpus.slotImage.append(id)
    }
    guard !corpus.slotImage.isEmpty else {
      throw PipelineError(.emptyCorpus, path, "the caption file has no rows")
    }
    return corpus
  }

  /// A 64-bit FNV-1a over the slot list, recorded in the job spec so that a worker or an export can
  /// tell when the corpus is not the one the job was planned on.
  public var fingerprint: String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    func eat(_ byte: UInt8) {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01B3
    }
    for slot in slotImage {
      for byte in images[Int(slot)].utf8 { eat(byte) }
      eat(0)
    }
    return String(hash, radix: 16)
  }
}
