/// What an image's header says, read without decoding its pixels: enough to refuse a file at
/// enqueue (not an image, cut before its pixels, a decompression bomb) before compute is spent.
public struct ImageHeader: Equatable, Sendable {
  public var width: Int
  public var height: Int

  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
  }
}
