import Foundation
public import Imaging

/// Makes the training corpus from a few photos: random square crops at random scales of every
/// training photo (held-out photos are never read), each rescaled with Pillow's BICUBIC and
/// written as PNG, so gen-pvp runs over real image files. The held-out photos are copied to
/// their own directory for eval-re.
public struct CropCorpus: Sendable {
  public var photos: String
  public var holdout: [String]
  public var cropsPerPhoto: Int
  public var size: Int
  /// Smallest crop side as a fraction of the photo's shorter side (the largest is 1).
  public var minScale: Double
  public var seed: UInt64

  public init(
    photos: String, holdout: [String], cropsPerPhoto: Int, size: Int, minScale: Double = 0.2, seed: UInt64
  ) {
    self.photos = photos
    self.holdout = holdout
    self.cropsPerPhoto = cropsPerPhoto
    self.size = size
    self.minScale = minScale
    self.seed = seed
  }

  /// Image files of the photo directory, split into training and held-out names.
  public func split() throws(TrainingError) -> (train: [String], heldOut: [String]) {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: photos).filter {
        ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased())
      }.sorted()
    } catch {
      throw TrainingError(.io, photos, "cannot list the photos: \(error)")
    }
    for name in holdout where !names.contains(name) {
      throw TrainingError(.badOption, name, "held-out photo not found in \(photos)")
    }
    return (names.filter { !holdout.contains($0) }, holdout)
  }

  /// A square crop of side `side` at (`x`, `y`).
  public static func crop(_ image: RGBImage, x: Int, y: Int, side: Int) -> RGBImage {
    var pixels = [UInt8](repeating: 0, count: side * side * 3)
    for row in 0..<side {
      let source = ((y + row) * image.width + x) * 3
      pixels.replaceSubrange(
        (row * side * 3)..<((row + 1) * side * 3), with: image.pixels[source..<(source + side * 3)])
    }
    return RGBImage(width: side, height: side, pixels: pixels)
  }

  /// Writes the crops to `train` and copies the held-out photos to `heldOut`; returns how many
  /// crops were written.
  @discardableResult
  public func write(train: String, heldOut: String) throws(TrainingError) -> Int {
    let (trainNames, heldOutNames) = try split()
    let manager = FileManager.default
    var written = 0
    do {
      try manager.createDirectory(atPath: train, withIntermediateDirectories: true)
      try manager.createDirectory(atPath: heldOut, withIntermediateDirectories: true)
      for name in heldOutNames {
        let target = (heldOut as NSString).appendingPathComponent(name)
        if !manager.fileExists(atPath: target) {
          try manager.copyItem(atPath: (photos as NSString).appendingPathComponent(name), toPath: target)
        }
      }
    } catch {
      throw TrainingError(.io, heldOut, "\(error)")
    }
    for (photoIndex, name) in trainNames.enumerated() {
      let path = (photos as NSString).appendingPathComponent(name)
      let image: RGBImage
      do {
        image = try ImageDecoder.decodeFile(atPath: path)
      } catch {
        throw TrainingError(.badImage, path, "\(error)")
      }
      var random = TrainingRandom(seed: seed, stream: 3, index: UInt64(photoIndex))
      let shorter = min(image.width, image.height)
      let stem = (name as NSString).deletingPathExtension
      for k in 0..<cropsPerPhoto {
        // The first crop of each photo is the largest centred square; the rest are random.
        let scale = k == 0 ? 1 : random.uniform(minScale...1)
        let side = max(8, Int(Double(shorter) * scale))
        let x = k == 0 ? (image.width - side) / 2 : random.below(image.width - side + 1)
        let y = k == 0 ? (image.height - side) / 2 : random.below(image.height - side + 1)
        let crop = Resampler.bicubic(Self.crop(image, x: x, y: y, side: side), width: size, height: size)
        let target = (train as NSString).appendingPathComponent(String(format: "%@-%04d.png", stem, k))
        do {
          let bytes = try PNGEncoder.encode(crop)
          try Data(bytes).write(to: URL(fileURLWithPath: target), options: .atomic)
        } catch {
          throw TrainingError(.io, target, "\(error)")
        }
        written += 1
      }
    }
    return written
  }
}
