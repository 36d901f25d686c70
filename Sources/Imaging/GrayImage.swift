/// An 8-bit single-channel image (Pillow mode `L`), stored row after row; used for masks.
public struct GrayImage: Sendable, Equatable {
  public var width: Int
  public var height: Int
  /// `width * height` bytes.
  public var pixels: [UInt8]

  public init(width: Int, height: Int, pixels: [UInt8]) {
    precondition(width >= 0 && height >= 0, "negative image size")
    precondition(pixels.count == width * height, "pixel count does not match the size")
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// The value in row `row` (y) and column `col` (x).
  public subscript(row: Int, col: Int) -> UInt8 {
    precondition(row >= 0 && row < height && col >= 0 && col < width, "pixel out of range")
    return pixels[row * width + col]
  }
}
