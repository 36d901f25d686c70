import Foundation

extension NativeVLM {
  /// `__metadata__` key naming the format, and its value.
  public static let formatKey = "format"
  public static let formatName = "pixelprobe-native-vlm"
  /// `__metadata__` key of the format version; this code reads and writes version 1.
  public static let formatVersionKey = "format_version"
  public static let formatVersion = "1"
  /// `__metadata__` key holding `NativeModelConfig` as JSON.
  public static let configKey = "config"

  /// Loads a model saved by `save(path:)`; a file whose tensors do not match its config is a
  /// `NativeModelError` naming the file.
  public static func load(path: String, blasThreads: Int? = 1) throws(NativeModelError) -> NativeVLM {
    let file = try NativeSafetensors.read(path: path)
    func fail(_ code: NativeModelError.Code, _ detail: String) -> NativeModelError {
      NativeModelError(code: code, file: path, detail: detail)
    }
    guard file.metadata[formatKey] == formatName else {
      throw fail(.badMetadata, "metadata \(formatKey) is not \(formatName)")
    }
    guard let version = file.metadata[formatVersionKey] else {
      throw fail(.badMetadata, "metadata has no \(formatVersionKey)")
    }
    guard version == formatVersion else {
      throw fail(.unsupportedVersion, "format version \(version), this build reads \(formatVersion)")
    }
    guard let configJSON = file.metadata[configKey] else {
      throw fail(.badMetadata, "metadata has no \(configKey)")
    }
    let config: NativeModelConfig
    do {
      config = try JSONDecoder().decode(NativeModelConfig.self, from: Data(configJSON.utf8))
    } catch {
      throw fail(.badMetadata, "config does not parse: \(error)")
    }
    return try NativeVLM(config: config, weights: file.tensors, blasThreads: blasThreads, file: path)
  }

  /// Writes the weights and config as safetensors (see `README.md` beside this file).
  public func save(path: String) throws(NativeModelError) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let configJSON = String(decoding: try! encoder.encode(config), as: UTF8.self)
    let metadata = [
      Self.formatKey: Self.formatName, Self.formatVersionKey: Self.formatVersion,
      Self.configKey: configJSON,
    ]
    try NativeSafetensors.write(.init(tensors: weights, metadata: metadata), to: path)
  }
}
