/// Encodes images as 8-bit PNG (no metadata), e.g. for targets and masks that other tools read.
public enum PNGEncoder {
  public static func encode(_ image: RGBImage) throws(ImageError) -> [UInt8] {
    try LibPNGWriter().encode(image.pixels, width: image.width, height: image.height, channels: 3)
  }

  public static func encode(_ image: GrayImage) throws(ImageError) -> [UInt8] {
    try LibPNGWriter().encode(image.pixels, width: image.width, height: image.height, channels: 1)
  }
}
