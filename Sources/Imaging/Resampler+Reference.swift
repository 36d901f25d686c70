extension Resampler {
  /// A direct transcription of Pillow's two-pass 8-bit resampling (horizontal pass first over
  /// the rows the vertical pass needs, each pass rounding and clipping to 8 bits) in plain
  /// integer arithmetic. Slow; the tests check the fast path against it.
  static func bicubicReference(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
    precondition(width > 0 && height > 0, "empty target size")
    if image.width == width && image.height == height {
      return image
    }
    let horizontal = BicubicAxis(inSize: image.width, outSize: width)
    let vertical = BicubicAxis(inSize: image.height, outSize: height)
    let needHorizontal = width != image.width
    let needVertical = height != image.height
    let firstRow = vertical.first[0]
    let lastRow = vertical.first[height - 1] + vertical.count[height - 1]

    var rows = image.pixels
    var rowWidth = image.width
    var rowOffset = 0  // index in `rows` of source row `firstRow`
    if needHorizontal {
      var temp = [UInt8](repeating: 0, count: width * (lastRow - firstRow) * 3)
      for y in firstRow..<lastRow {
        for xx in 0..<width {
          let x0 = horizontal.first[xx]
          for c in 0..<3 {
            var sum = BicubicAxis.bias
            for j in 0..<horizontal.count[xx] {
              sum &+=
                Int32(image.pixels[(y * image.width + x0 + j) * 3 + c])
                &* horizontal.weights[xx * horizontal.kernelSize + j]
            }
            temp[((y - firstRow) * width + xx) * 3 + c] = BicubicAxis.clip8(sum)
          }
        }
      }
      rows = temp
      rowWidth = width
      rowOffset = firstRow
    }
    guard needVertical else {
      return RGBImage(width: width, height: height, pixels: rows)
    }
    var out = [UInt8](repeating: 0, count: width * height * 3)
    for yy in 0..<height {
      let y0 = vertical.first[yy] - rowOffset
      for i in 0..<(rowWidth * 3) {
        var sum = BicubicAxis.bias
        for j in 0..<vertical.count[yy] {
          sum &+= Int32(rows[(y0 + j) * rowWidth * 3 + i]) &* vertical.weights[yy * vertical.kernelSize + j]
        }
        out[yy * rowWidth * 3 + i] = BicubicAxis.clip8(sum)
      }
    }
    return RGBImage(width: width, height: height, pixels: out)
  }
}
