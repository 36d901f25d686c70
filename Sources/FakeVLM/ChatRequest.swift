import Foundation

/// The parts of a chat-completions request the server answers from.
struct ChatRequest {
  var model: String
  var text: String
  /// The base64 payload of the image's data URL (the last image of the message).
  var imageBase64: ArraySlice<UInt8>
  /// The base64 payloads of every image of the message, in order (game questions send several).
  var images: [ArraySlice<UInt8>] = []

  /// Any well-formed body, through JSONSerialization.
  init?(json body: [UInt8]) {
    guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
      let model = object["model"] as? String,
      let messages = object["messages"] as? [[String: Any]],
      let content = messages.last?["content"] as? [[String: Any]]
    else { return nil }
    self.model = model
    text = ""
    imageBase64 = []
    for part in content {
      if let t = part["text"] as? String { text = t }
      if let image = part["image_url"] as? [String: Any], let url = image["url"] as? String,
        let comma = url.firstIndex(of: ",")
      {
        imageBase64 = ArraySlice(Array(url[url.index(after: comma)...].utf8))
        images.append(imageBase64)
      }
    }
  }

  /// Bodies laid out as PixelProbe sends them, by scanning bytes: a JSON parse of a 100 KB body
  /// per question would make this server, not the client, the bottleneck of a benchmark.
  init?(fast body: [UInt8]) {
    guard let model = Self.string(after: #""model":""#, in: body),
      let text = Self.string(after: #""type":"text","text":""#, in: body),
      let url = Self.find(Array(#""url":"data:"#.utf8), in: body, from: 0),
      let comma = body[url...].firstIndex(of: UInt8(ascii: ",")),
      let end = body[comma...].firstIndex(of: UInt8(ascii: "\""))
    else { return nil }
    self.model = model
    self.text = text
    imageBase64 = body[(comma + 1)..<end]
    images = [imageBase64]
    var from = end
    while let next = Self.find(Array(#""url":"data:"#.utf8), in: body, from: from),
      let nextComma = body[next...].firstIndex(of: UInt8(ascii: ",")),
      let nextEnd = body[nextComma...].firstIndex(of: UInt8(ascii: "\""))
    {
      images.append(body[(nextComma + 1)..<nextEnd])
      from = nextEnd
    }
    imageBase64 = images[images.count - 1]
  }

  static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
    guard haystack.count >= needle.count + start else { return nil }
    var i = start
    while i <= haystack.count - needle.count {
      if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) {
        return i + needle.count
      }
      i += 1
    }
    return nil
  }

  /// The JSON string value that starts right after `key` (its opening quote included in `key`).
  static func string(after key: String, in body: [UInt8]) -> String? {
    guard var i = find(Array(key.utf8), in: body, from: 0) else { return nil }
    var bytes: [UInt8] = []
    while i < body.count {
      let byte = body[i]
      if byte == UInt8(ascii: "\"") { return String(decoding: bytes, as: UTF8.self) }
      if byte == UInt8(ascii: "\\") {
        // Escapes other than the simple ones send the request to the full JSON parser.
        guard i + 1 < body.count else { return nil }
        switch body[i + 1] {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): bytes.append(UInt8(ascii: "/"))
        case UInt8(ascii: "n"): bytes.append(10)
        default: return nil
        }
        i += 2
        continue
      }
      bytes.append(byte)
      i += 1
    }
    return nil
  }
}
