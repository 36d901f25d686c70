/// A failure of the Refer layer: a stable code plus the file and field (or split, or option) it
/// concerns.
public struct ReferError: Error, CustomStringConvertible, Sendable, Equatable {
  public enum Code: String, Sendable {
    /// A file of the layout is missing or cannot be read.
    case missingFile
    /// `instances.json` is not JSON, or `refs(<splitBy>).p` is not a readable pickle.
    case badFile
    /// A required field is absent.
    case missingField
    /// A field has the wrong type or an impossible value.
    case badField
    /// An id that points nowhere (a ref's `image_id` or `ann_id`).
    case unknownReference
    /// A segmentation or RLE that cannot be turned into a mask.
    case badMask
    /// Two masks or a mask and an image of different sizes.
    case sizeMismatch
    /// A split with no sentences in the dataset.
    case unknownSplit
    /// More sentences requested than the split has, or a negative count.
    case badSampleSize
  }

  public var code: Code
  /// The file concerned, when there is one.
  public var file: String?
  /// The field (`annotations[3].segmentation`), split or option concerned.
  public var field: String?
  public var detail: String

  public init(_ code: Code, file: String? = nil, field: String? = nil, _ detail: String) {
    self.code = code
    self.file = file
    self.field = field
    self.detail = detail
  }

  public var description: String {
    let context = [file, field].compactMap { $0 }
    return context.isEmpty ? detail : context.joined(separator: ": ") + ": " + detail
  }
}
