/// A decoder's output before the final conversion: one channel (gray sources) or three (RGB),
/// so gray files can become either an `RGBImage` or a `GrayImage` without a lossy detour.
struct DecodedImage: Sendable {
  var width: Int
  var height: Int
  /// 1 or 3.
  var channels: Int
  var pixels: [UInt8]

  /// Pillow's `convert('RGB')`: gray is copied into R, G and B.
  func rgb() -> RGBImage {
    if channels == 3 {
      return RGBImage(width: width, height: height, pixels: pixels)
    }
    let count = width * height
    let out = [UInt8](unsafeUninitializedCapacity: count * 3) { buffer, initialized in
      pixels.withUnsafeBufferPointer { gray in
        for i in 0..<count {
          let v = gray[i]
          buffer[3 * i] = v
          buffer[3 * i + 1] = v
          buffer[3 * i + 2] = v
        }
      }
      initialized = count * 3
    }
    return RGBImage(width: width, height: height, pixels: out)
  }

  /// Pillow's `convert('L')`: `L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16`.
  func gray() -> GrayImage {
    if channels == 1 {
      return GrayImage(width: width, height: height, pixels: pixels)
    }
    let count = width * height
    let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      pixels.withUnsafeBufferPointer { rgb in
        for i in 0..<count {
          let r = UInt32(rgb[3 * i]), g = UInt32(rgb[3 * i + 1]), b = UInt32(rgb[3 * i + 2])
          buffer[i] = UInt8(truncatingIfNeeded: (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
        }
      }
      initialized = count
    }
    return GrayImage(width: width, height: height, pixels: out)
  }
}
