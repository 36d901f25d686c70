/// The container formats the decoder understands, recognised by their magic bytes.
enum ImageFormat: Sendable, Equatable {
  case jpeg
  case png

  static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

  static func sniff(_ bytes: [UInt8], name: String) throws(ImageError) -> ImageFormat {
    if bytes.isEmpty {
      throw ImageError(.empty, file: name, detail: "zero-length file")
    }
    if bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF {
      return .jpeg
    }
    if bytes.count >= 8 && bytes[0..<8].elementsEqual(pngSignature) {
      return .png
    }
    throw ImageError(.unsupportedFormat, file: name, detail: "neither JPEG nor PNG data")
  }
}
