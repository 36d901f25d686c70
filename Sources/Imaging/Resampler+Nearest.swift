extension Resampler {
  /// Pillow resizes with NEAREST through its affine scaling (`ImagingScaleAffine`): the source
  /// coordinate of output column x is `(int)(s/2 + x*s)` with `s = width / newWidth` in double
  /// precision, accumulated by repeated addition as Pillow does; outside the source it fills 0.
  static func nearestPixels(
    _ pixels: [UInt8], width: Int, height: Int, channels: Int, toWidth: Int, toHeight: Int
  ) -> [UInt8] {
    precondition(toWidth > 0 && toHeight > 0, "empty target size")
    if width == toWidth && height == toHeight {
      return pixels
    }
    let columns = sourceIndices(from: width, to: toWidth)
    let rows = sourceIndices(from: height, to: toHeight)
    return [UInt8](unsafeUninitializedCapacity: toWidth * toHeight * channels) { out, initialized in
      pixels.withUnsafeBufferPointer { src in
        for y in 0..<toHeight {
          let outRow = y * toWidth * channels
          guard let sy = rows[y] else {
            for i in 0..<(toWidth * channels) { out[outRow + i] = 0 }
            continue
          }
          for x in 0..<toWidth {
            for c in 0..<channels {
              if let sx = columns[x] {
                out[outRow + x * channels + c] = src[(sy * width + sx) * channels + c]
              } else {
                out[outRow + x * channels + c] = 0
              }
            }
          }
        }
      }
      initialized = toWidth * toHeight * channels
    }
  }

  /// For each of `outSize` output indices, the source index Pillow's NEAREST resize reads (nil
  /// outside the source): for callers that map coordinates between sizes without resizing pixels
  /// (masks kept run-length encoded, say).
  public static func nearestSourceIndices(from inSize: Int, to outSize: Int) -> [Int?] {
    sourceIndices(from: inSize, to: outSize)
  }

  /// Source index of every output index, or nil outside the source.
  static func sourceIndices(from inSize: Int, to outSize: Int) -> [Int?] {
    let step = Double(Float(inSize) - Float(0)) / Double(outSize)
    var position = 0.0 + step * 0.5
    var indices: [Int?] = []
    indices.reserveCapacity(outSize)
    for _ in 0..<outSize {
      let index = position < 0.0 ? -1 : Int(position)
      indices.append(index >= 0 && index < inSize ? index : nil)
      position += step
    }
    return indices
  }
}
