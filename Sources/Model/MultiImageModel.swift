public import Imaging

/// A model that answers one question about several images, in order: the paper's game template
/// (the stacked frames, then the instruction). `baseline:` models take one image only.
public protocol MultiImageModel: VisionLanguageModel {
  /// The answer text to `question` about `images` (oldest first).
  func answer(_ question: String, images: [RGBImage]) throws -> String
  /// Refuses a prompt that cannot fit (a context too short for `images` frames and `question`),
  /// so the enqueue fails, not the workers.
  func checkFits(images: Int, question: String) throws(ModelError)
}

extension MultiImageModel {
  public func checkFits(images: Int, question: String) throws(ModelError) {}
}
