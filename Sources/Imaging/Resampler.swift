/// Resizing exactly as Pillow's `Image.resize((width, height), filter)` does for 8-bit images.
public enum Resampler {
  /// Pillow's default `resize((width, height))` for RGB: BICUBIC (a = -0.5), antialiased when
  /// downsampling, in Pillow's fixed-point arithmetic, for up- and down-sampling alike.
  public static func bicubic(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
    precondition(width > 0 && height > 0, "empty target size")
    if image.width == width && image.height == height {
      return image
    }
    let plan = BicubicPlanCache.shared.plan(
      sourceWidth: image.width, sourceHeight: image.height, width: width, height: height)
    return bicubicFast(image, plan: plan)
  }

  /// `bicubic(image, width:, height:)` for several sizes at once, the same images exactly: the
  /// downscales of one image share the conversion of its rows (eval-re's reference thumbnails).
  public static func bicubic(_ image: RGBImage, sizes: [(width: Int, height: Int)]) -> [RGBImage] {
    var results = [RGBImage?](repeating: nil, count: sizes.count)
    var shared: [(index: Int, plan: BicubicPlan)] = []
    for (n, size) in sizes.enumerated() {
      precondition(size.width > 0 && size.height > 0, "empty target size")
      if image.width == size.width && image.height == size.height {
        results[n] = image
      } else {
        shared.append(
          (
            n,
            BicubicPlanCache.shared.plan(
              sourceWidth: image.width, sourceHeight: image.height, width: size.width,
              height: size.height)
          ))
      }
    }
    if !shared.isEmpty {
      for (item, resized) in zip(shared, bicubicFast(image, plans: shared.map(\.plan))) {
        results[item.index] = resized
      }
    }
    return results.map { $0! }
  }

  /// Pillow's `resize((width, height), Image.NEAREST)`.
  public static func nearest(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
    RGBImage(
      width: width, height: height,
      pixels: nearestPixels(
        image.pixels, width: image.width, height: image.height, channels: 3, toWidth: width,
        toHeight: height))
  }

  /// Pillow's `resize((width, height), Image.NEAREST)` for mode `L`.
  public static func nearest(_ image: GrayImage, width: Int, height: Int) -> GrayImage {
    GrayImage(
      width: width, height: height,
      pixels: nearestPixels(
        image.pixels, width: image.width, height: image.height, channels: 1, toWidth: width,
        toHeight: height))
  }
}
