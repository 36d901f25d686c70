import Foundation
import Model

/// A resumable training checkpoint: one safetensors file holding the parameters (`param.*`, LoRA
/// adapters included) and AdamW's moments (`adam_m.*`, `adam_v.*`), with the model config, the
/// adapter setting, the trained parts and the step in `__metadata__`. Written to a temporary
/// file and renamed over the old one, so a kill mid-write leaves the last good checkpoint.
public enum Checkpoint {
  public static let formatName = "pixelprobe-train-checkpoint"
  public static let formatVersion = "1"

  public static func save(_ state: TrainingState, to path: String, extra: [String: String] = [:])
    throws(TrainingError)
  {
    var tensors = state.params.store(prefix: "param.")
    for (name, tensor) in state.m.store(prefix: "adam_m.").tensors { tensors[name] = tensor }
    for (name, tensor) in state.v.store(prefix: "adam_v.").tensors { tensors[name] = tensor }
    var metadata = extra
    metadata["format"] = formatName
    metadata["format_version"] = formatVersion
    metadata["config"] = json(state.model.config)
    metadata["lora"] = state.model.lora.map { json($0) } ?? "none"
    metadata["parts"] = state.model.parts.description
    metadata["step"] = String(state.step)
    do {
      // NativeSafetensors writes atomically (temporary file, then rename).
      try NativeSafetensors.write(.init(tensors: tensors, metadata: metadata), to: path)
    } catch {
      throw TrainingError(.io, path, "\(error)")
    }
  }

  /// Restores `state` (same config, adapters and parts) from `path`; returns the metadata.
  @discardableResult
  public static func restore(_ state: TrainingState, from path: String) throws(TrainingError) -> [String:
    String]
  {
    let file: NativeSafetensors.File
    do {
      file = try NativeSafetensors.read(path: path)
    } catch {
      throw TrainingError(.badCheckpoint, path, "\(error)")
    }
    guard file.metadata["format"] == formatName else {
      throw TrainingError(
        .badCheckpoint, path, "not a training checkpoint (format \(file.metadata["format"] ?? "none"))")
    }
    guard file.metadata["format_version"] == formatVersion else {
      throw TrainingError(.badCheckpoint, path, "format version \(file.metadata["format_version"] ?? "none")")
    }
    let model = state.model
    let expected: [(String, String, String)] = [
      ("config", json(model.config), "model configuration"),
      ("lora", model.lora.map { json($0) } ?? "none", "LoRA setting"),
      ("parts", model.parts.description, "trained parts"),
    ]
    for (key, value, what) in expected where file.metadata[key] != value {
      throw TrainingError(
        .configMismatch, path,
        "the checkpoint's \(what) is \(file.metadata[key] ?? "missing"), this run's is \(value)")
    }
    guard let stepText = file.metadata["step"], let step = Int(stepText), step >= 0 else {
      throw TrainingError(.badCheckpoint, path, "no step in the metadata")
    }
    for (prefix, buffer) in [("param.", state.params), ("adam_m.", state.m), ("adam_v.", state.v)] {
      for slot in model.layout.slots {
        guard let tensor = file.tensors[prefix + slot.name], tensor.shape == slot.shape else {
          throw TrainingError(.configMismatch, path, "tensor \(prefix + slot.name) is missing or misshapen")
        }
        guard tensor.values.allSatisfy(\.isFinite) else {
          throw TrainingError(.badCheckpoint, path, "tensor \(prefix + slot.name) holds NaN or infinity")
        }
        buffer.set(slot.name, tensor.values)
      }
    }
    state.step = step
    return file.metadata
  }

  static func json<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return String(decoding: try! encoder.encode(value), as: UTF8.self)
  }
}
