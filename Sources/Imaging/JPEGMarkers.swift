/// Just enough of the JPEG marker structure to tell a complete file from a cut one.
enum JPEGMarkers {
  /// Whether an EOI marker (`FF D9`) follows the first start-of-scan. Entropy-coded data cannot
  /// contain `FF D9`, and markers inside APPn segments (EXIF thumbnails) are skipped by walking
  /// the segment lengths up to the first SOS.
  static func hasEndOfImageAfterScan(_ data: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 2  // after SOI
    let n = data.count
    while i + 1 < n {
      guard data[i] == 0xFF else {
        i += 1  // junk between segments; libjpeg skips it too
        continue
      }
      let marker = data[i + 1]
      if marker == 0xFF {
        i += 1  // fill byte
        continue
      }
      if marker == 0xDA {
        break
      }
      if marker == 0x01 || marker == 0x00 || (marker >= 0xD0 && marker <= 0xD9) {
        i += 2  // no length field
        continue
      }
      guard i + 3 < n else { return false }
      i += 2 + (Int(data[i + 2]) << 8 | Int(data[i + 3]))
    }
    // Search from the end: EOI normally ends the file (perhaps followed by some padding).
    var j = n - 2
    while j >= i {
      if data[j] == 0xFF && data[j + 1] == 0xD9 {
        return true
      }
      j -= 1
    }
    return false
  }
}
