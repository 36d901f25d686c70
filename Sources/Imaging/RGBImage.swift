/// An 8-bit RGB image, pixels interleaved `r, g, b` and stored row after row (what Pillow's
/// `np.asarray(im.convert('RGB'))` holds).
public struct RGBImage: Sendable, Equatable {
  public var width: Int
  public var height: Int
  /// `width * height * 3` bytes.
  public var pixels: [UInt8]

  public init(width: Int, height: Int, pixels: [UInt8]) {
    precondition(width >= 0 && height >= 0, "negative image size")
    precondition(pixels.count == width * height * 3, "pixel count does not match the size")
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// The pixel in row `row` (y) and column `col` (x).
  public subscript(row: Int, col: Int) -> (UInt8, UInt8, UInt8) {
    precondition(row >= 0 && row < height && col >= 0 && col < width, "pixel out of range")
    let i = (row * width + col) * 3
    return (pixels[i], pixels[i + 1], pixels[i + 2])
  }
}
