import Foundation
import Testing

@testable import Model

@Suite struct NativeSafetensorsTests {
  static let directory: String = {
    let path = NSTemporaryDirectory() + "pixelprobe-native-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  static func path(_ name: String) -> String { directory + "/" + name }

  @Test func encodingHasTheDocumentedLayout() throws {
    let store = NativeTensorStore([
      "b": NativeTensor(shape: [2], values: [1, -2]),
      "a": NativeTensor(shape: [1, 1], values: [0.5]),
    ])
    let data = NativeSafetensors.encode(.init(tensors: store, metadata: ["k": "v"]))
    let bytes = [UInt8](data)
    let headerLength = Int(
      bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) })
    #expect(headerLength % 8 == 0)
    #expect(bytes.count == 8 + headerLength + 12)
    let header = try #require(
      try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any])
    #expect(header["__metadata__"] as? [String: String] == ["k": "v"])
    let a = try #require(header["a"] as? [String: Any])
    #expect(a["dtype"] as? String == "F32")
    #expect(a["shape"] as? [Int] == [1, 1])
    #expect(a["data_offsets"] as? [Int] == [0, 4])
    let b = try #require(header["b"] as? [String: Any])
    #expect(b["data_offsets"] as? [Int] == [4, 12])
    // 0.5 = 0x3F000000, 1 = 0x3F800000, -2 = 0xC0000000, little-endian.
    #expect(Array(bytes[(8 + headerLength)...]) == [0, 0, 0, 0x3F, 0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0])
    #expect(try NativeSafetensors.decode(data) == .init(tensors: store, metadata: ["k": "v"]))
  }

  @Test func saveThenLoadGivesTheSameModel() throws {
    let model = try NativeVLM.random(config: .micro, seed: 21, std: 0.3)
    let path = Self.path("roundtrip.safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.save(path: path)
    let loaded = try NativeVLM.load(path: path)
    #expect(loaded.config == model.config)
    #expect(loaded.weights == model.weights)
    let pixels = nativeTestPixels(.micro, seed: 2)
    let questions = ["[reconstruct] loc: [0,1] rgb: ", "[refer] give me the location of x"]
    #expect(
      try loaded.answer(prefix: loaded.encodeImage(pixels), questions: questions, maxNewTokens: 8)
        == model.answer(prefix: model.encodeImage(pixels), questions: questions, maxNewTokens: 8))
  }

  @Test func readsAFileWrittenByTheReferenceLibrary() throws {
    // Fixtures/make_native_nano.py wrote it with Python's safetensors package.
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures/native-nano.safetensors").path
    let model = try NativeVLM.load(path: path)
    let config = NativeModelConfig(
      imageSize: 8, patchSize: 4, visionDim: 8, visionLayers: 1, visionHeads: 2, lmDim: 8, lmLayers: 1,
      lmHeads: 2, mlpRatio: 2, maxPositions: 40)
    #expect(model.config == config)
    for (k, (name, shape)) in config.tensorShapes.sorted(by: { $0.name < $1.name }).enumerated() {
      let count = shape.reduce(1, *)
      let expected = (0..<count).map { Float(Double((7 * $0 + 13 * k) % 101 - 50) / 500) }
      #expect(model.weights[name] == NativeTensor(shape: shape, values: expected), "tensor \(name)")
    }
    let pixels = nativeTestPixels(config, seed: 1)
    let cached = try model.generate(
      prefix: model.encodeImage(pixels), questions: ["q"], maxNewTokens: 3, recordLogits: true)
    let full = try model.referenceGenerate(pixels: pixels, question: "q", maxNewTokens: 3)
    #expect(cached[0].tokens == full.tokens)
  }

  /// The valid header of a saved micro model, and its data section.
  static func validParts() throws -> (header: [String: Any], data: Data) {
    let model = try NativeVLM.random(config: .micro, seed: 1)
    let data = NativeSafetensors.encode(
      .init(
        tensors: model.weights,
        metadata: [
          "format": NativeVLM.formatName, "format_version": "1",
          "config": String(decoding: try JSONEncoder().encode(model.config), as: UTF8.self),
        ]))
    let length = Int(
      data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) })
    let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as! [String: Any]
    return (header, data.subdata(in: (8 + length)..<data.count))
  }

  static func assemble(headerJSON: Data, data: Data) -> Data {
    var out = Data()
    withUnsafeBytes(of: UInt64(headerJSON.count).littleEndian) { out.append(contentsOf: $0) }
    return out + headerJSON + data
  }

  struct Corruption: CustomTestStringConvertible, Sendable {
    let name: String
    let expected: NativeModelError.Code
    let tensor: String?
    let make: @Sendable (inout [String: Any], inout Data) -> Void
    var testDescription: String { name }
  }

  static let corruptions: [Corruption] = [
    Corruption(name: "missing tensor", expected: .missingTensor, tensor: "lm.head.weight") { h, _ in
      h["lm.head.weight"] = nil
    },
    Corruption(name: "extra tensor", expected: .unexpectedTensor, tensor: "lm.extra") { h, d in
      h["lm.extra"] = ["dtype": "F32", "shape": [1], "data_offsets": [d.count, d.count + 4]]
      d.append(contentsOf: [0, 0, 0, 0])
    },
    Corruption(name: "wrong shape", expected: .shapeMismatch, tensor: "lm.norm.weight") { h, _ in
      var entry = h["lm.norm.weight"] as! [String: Any]
      entry["shape"] = [2, 16]
      h["lm.norm.weight"] = entry
    },
    Corruption(name: "wrong dtype", expected: .unsupportedDtype, tensor: "connector.proj.bias") { h, _ in
      var entry = h["connector.proj.bias"] as! [String: Any]
      entry["dtype"] = "F16"
      h["connector.proj.bias"] = entry
    },
    Corruption(name: "offsets disagree with shape", expected: .badOffsets, tensor: "lm.norm.bias") { h, _ in
      var entry = h["lm.norm.bias"] as! [String: Any]
      let offsets = entry["data_offsets"] as! [Int]
      entry["data_offsets"] = [offsets[0], offsets[1] - 4]
      h["lm.norm.bias"] = entry
    },
    Corruption(name: "shape whose size overflows", expected: .badOffsets, tensor: "lm.norm.bias") { h, _ in
      var entry = h["lm.norm.bias"] as! [String: Any]
      entry["shape"] = [Int.max / 2, 4]
      h["lm.norm.bias"] = entry
    },
    Corruption(name: "overlapping tensors", expected: .badOffsets, tensor: nil) { h, _ in
      var entry = h["lm.norm.bias"] as! [String: Any]
      entry["data_offsets"] = (h["lm.norm.weight"] as! [String: Any])["data_offsets"]
      h["lm.norm.bias"] = entry
    },
    Corruption(name: "truncated data", expected: .truncated, tensor: nil) { _, d in
      d = d.prefix(d.count - 100)
    },
    Corruption(name: "no config", expected: .badMetadata, tensor: nil) { h, _ in
      var metadata = h["__metadata__"] as! [String: String]
      metadata["config"] = nil
      h["__metadata__"] = metadata
    },
    Corruption(name: "config that does not parse", expected: .badMetadata, tensor: nil) { h, _ in
      var metadata = h["__metadata__"] as! [String: String]
      metadata["config"] = "{\"imageSize\": 16"
      h["__metadata__"] = metadata
    },
    Corruption(name: "config of another model", expected: .shapeMismatch, tensor: nil) { h, _ in
      var metadata = h["__metadata__"] as! [String: String]
      var config = NativeModelConfig.micro
      config.lmDim = 64
      metadata["config"] = String(decoding: try! JSONEncoder().encode(config), as: UTF8.self)
      h["__metadata__"] = metadata
    },
    Corruption(name: "invalid config", expected: .invalidConfig, tensor: nil) { h, _ in
      var metadata = h["__metadata__"] as! [String: String]
      var config = NativeModelConfig.micro
      config.lmHeads = 5
      metadata["config"] = String(decoding: try! JSONEncoder().encode(config), as: UTF8.self)
      h["__metadata__"] = metadata
    },
    Corruption(name: "newer format version", expected: .unsupportedVersion, tensor: nil) { h, _ in
      var metadata = h["__metadata__"] as! [String: String]
      metadata["format_version"] = "2"
      h["__metadata__"] = metadata
    },
    Corruption(name: "NaN weight", expected: .nonFiniteValue, tensor: "lm.tok_embed") { h, d in
      let begin = ((h["lm.tok_embed"] as! [String: Any])["data_offsets"] as! [Int])[0]
      d.replaceSubrange(begin..<(begin + 4), with: [0, 0, 0xC0, 0x7F])
    },
  ]

  @Test(arguments: corruptions)
  func corruptFilesAreNamedErrors(corruption: Corruption) throws {
    var (header, data) = try Self.validParts()
    corruption.make(&header, &data)
    let path = Self.path("corrupt-\(corruption.name.replacingOccurrences(of: " ", with: "-")).safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let json = try JSONSerialization.data(withJSONObject: header)
    try Self.assemble(headerJSON: json, data: data).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: NativeModelError.self) { try NativeVLM.load(path: path) }
    #expect(error?.code == corruption.expected)
    #expect(error?.file == path)
    if let tensor = corruption.tensor { #expect(error?.tensor == tensor) }
    #expect(error?.description.contains(path) == true)
  }

  @Test(arguments: [
    ("bad JSON", Data("{\"a\": [".utf8), NativeModelError.Code.badHeader),
    ("header is an array", Data("[1, 2]".utf8), .badHeader),
    ("tensor entry lacks offsets", Data("{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}".utf8), .badHeader),
  ])
  func malformedHeadersAreErrors(name: String, header: Data, expected: NativeModelError.Code) throws {
    let path = Self.path("malformed-\(name.replacingOccurrences(of: " ", with: "-")).safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.assemble(headerJSON: header, data: Data()).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: NativeModelError.self) { try NativeVLM.load(path: path) }
    #expect(error?.code == expected)
    #expect(error?.file == path)
  }

  @Test func shortAndMissingFilesAreErrors() throws {
    let short = Self.path("short.safetensors")
    let huge = Self.path("huge-header.safetensors")
    defer { for path in [short, huge] { try? FileManager.default.removeItem(atPath: path) } }
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: short))
    #expect(throws: NativeModelError(code: .truncated, file: short, detail: "3 bytes, no header length")) {
      try NativeVLM.load(path: short)
    }
    try Self.assemble(headerJSON: Data("{}".utf8), data: Data()).prefix(9).write(
      to: URL(fileURLWithPath: huge))
    let hugeError = #expect(throws: NativeModelError.self) { try NativeVLM.load(path: huge) }
    #expect(hugeError?.code == .truncated)
    let missing = Self.path("does-not-exist.safetensors")
    let missingError = #expect(throws: NativeModelError.self) { try NativeVLM.load(path: missing) }
    #expect(missingError?.code == .io)
    #expect(missingError?.file == missing)
  }
}
