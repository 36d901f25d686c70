import Foundation
public import Imaging
import Synchronization

extension ImageCorpus {
  /// Where `image` (a path relative to the corpus root) is under `root`.
  public static func path(root: String, image: String) -> String {
    root.hasSuffix("/") ? root + image : root + "/" + image
  }

  /// Reads every image's header as the decoder would (format, header, size within `maxPixels`;
  /// `ImageDecoder.probeFile`), on `threads` threads; returns the ones that fail, in corpus order.
  public func badImages(maxPixels: Int, threads: Int = 1) -> [(image: Int, error: ImageError)] {
    let count = images.count
    let chunks = max(1, min(threads, count))
    let found = Mutex<[(image: Int, error: ImageError)]>([])
    let (images, root) = (self.images, self.root)
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
      var bad: [(image: Int, error: ImageError)] = []
      for n in stride(from: chunk, to: count, by: chunks) {
        do throws(ImageError) {
          _ = try ImageDecoder.probeFile(
            atPath: Self.path(root: root, image: images[n]), maxPixels: maxPixels)
        } catch {
          bad.append((n, error))
        }
      }
      found.withLock { $0 += bad }
    }
    return found.withLock { $0 }.sorted { $0.image < $1.image }
  }

  /// The corpus without the images numbered in `excluded` and without their slots (caption
  /// rows), the others keeping their order.
  public func removing(_ excluded: Set<Int>) -> ImageCorpus {
    var renumbered = [Int32](repeating: -1, count: images.count)
    var kept = ImageCorpus(images: [], imageIDs: [], slotImage: [], root: root)
    for n in images.indices where !excluded.contains(n) {
      renumbered[n] = Int32(kept.images.count)
      kept.images.append(images[n])
      kept.imageIDs.append(imageIDs[n])
    }
    kept.slotImage = slotImage.compactMap { renumbered[Int($0)] >= 0 ? renumbered[Int($0)] : nil }
    return kept
  }
}
