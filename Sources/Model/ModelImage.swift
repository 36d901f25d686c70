public import Imaging
public import Refer

/// Everything a backend may need about the image a batch of questions is about.
public struct ModelImage: Sendable {
  /// Name for messages (the corpus-relative path).
  public var name: String
  /// The original file's bytes (what an HTTP backend sends, as a data URL).
  public var encoded: [UInt8]
  /// The decoded image at full resolution, as Pillow's convert('RGB') gives it.
  public var rgb: RGBImage
  /// The grid the questions address (64 in the paper).
  public var grid: Int
  /// The image resized to grid x grid (the PVP target); oracles and baselines use it.
  public var target: RGBImage?
  /// Ground-truth mask on the grid (row-major, 0/1), for segmentation oracles.
  public var gridMask: [UInt8]?
  /// Ground-truth box of the referred object in pixels of `rgb`, for REC oracles and baselines.
  public var truthBox: ReferBox?

  public init(
    name: String, encoded: [UInt8], rgb: RGBImage, grid: Int, target: RGBImage? = nil,
    gridMask: [UInt8]? = nil, truthBox: ReferBox? = nil
  ) {
    self.name = name
    self.encoded = encoded
    self.rgb = rgb
    self.grid = grid
    self.target = target
    self.gridMask = gridMask
    self.truthBox = truthBox
  }

  /// The MIME type of `encoded`, from its magic bytes.
  public var mimeType: String {
    encoded.starts(with: [0x89, 0x50, 0x4E, 0x47]) ? "image/png" : "image/jpeg"
  }
}
