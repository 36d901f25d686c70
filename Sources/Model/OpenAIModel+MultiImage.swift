import Dispatch
import Foundation
public import Imaging
import Synchronization

/// Several images in one user message: one `image_url` part per image (PNG data URLs, in order;
/// `image_size` and `image_format=jpeg` apply to each frame),
/// then the text. With `template=minigptv2` the text is
/// `[INST] <Img><ImageHere></Img><Img><ImageHere></Img>... {question} [/INST]`.
extension OpenAIModel: MultiImageModel {
  public func prompt(_ question: String, imageCount: Int) -> String {
    switch template {
    case .plain:
      question
    case .minigptv2:
      "[INST] " + String(repeating: "<Img><ImageHere></Img>", count: imageCount) + " \(question) [/INST]"
    }
  }

  func body(_ question: String, images: [RGBImage]) throws -> Data {
    var body = Data(
      #"{"model":\#(jsonLiteral(modelName)),\#(generationFields),"messages":[{"role":"user","content":["#
        .utf8)
    for (n, image) in images.enumerated() {
      let (bytes, mimeType) = try imageEncoding.payload(pixels: image, name: "frame \(n)", model: uri)
      body.append(
        contentsOf: Array(#"{"type":"image_url","image_url":{"url":"data:\#(mimeType);base64,"#.utf8))
      body.append(Data(bytes).base64EncodedData())
      body.append(contentsOf: Array(#""}},"#.utf8))
    }
    body.append(contentsOf: Array(#"{"type":"text","text":"#.utf8))
    body.append(contentsOf: Array(jsonLiteral(prompt(question, imageCount: images.count)).utf8))
    body.append(contentsOf: Array("}]}]}".utf8))
    return body
  }

  public func answer(_ question: String, images: [RGBImage]) throws -> String {
    let request: Data
    do {
      request = try body(question, images: images)
    } catch {
      throw ModelError(.badResponse, model: uri, "cannot encode a frame as PNG: \(error)")
    }
    let result = Mutex<Result<String, ModelError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    send(request, attempt: 0) { outcome in
      result.withLock { $0 = outcome }
      done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
  }
}
