public import Imaging

/// Several frames: the visual tokens of each frame in order, each between `<Img>` and `</Img>`
/// (NativeVLM.encodeImages), then the question.
extension NativeModel: MultiImageModel {
  public func answer(_ question: String, images: [RGBImage]) throws -> String {
    do {
      let prefix = try vlm.encodeImages(images.map { pixels($0) })
      return try vlm.answer(prefix: prefix, questions: [question], maxNewTokens: maxTokens)[0]
    } catch {
      throw ModelError(.badResponse, model: uri, "\(images.count) frames: \(error)")
    }
  }

  public func checkFits(images: Int, question: String) throws(ModelError) {
    let used = vlm.config.prefixLength(frames: images) + NativePrompt.questionTokens(question).count
    // At least one answer token must fit.
    guard used < vlm.config.maxPositions else {
      throw ModelError(
        .unsupportedTask, model: uri,
        "\(images) frames and the question take \(used) positions, the model has \(vlm.config.maxPositions) (a shorter --instruction, brief or none, may fit)"
      )
    }
  }
}
