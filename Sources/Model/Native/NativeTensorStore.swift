/// The model's parameters by name (`lm.blocks.0.attn.qkv.weight` ...), shared by safetensors I/O,
/// initialisation and (later) training, which keeps gradients and optimiser state in stores
/// with the same names.
public struct NativeTensorStore: Sendable, Equatable {
  public private(set) var tensors: [String: NativeTensor]

  public init(_ tensors: [String: NativeTensor] = [:]) { self.tensors = tensors }

  /// Names in sorted order, the order safetensors files are written in.
  public var names: [String] { tensors.keys.sorted() }

  public var parameterCount: Int { tensors.values.reduce(0) { $0 + $1.count } }

  public subscript(name: String) -> NativeTensor? {
    get { tensors[name] }
    set { tensors[name] = newValue }
  }

  /// The tensor called `name`, which must have `shape`.
  func require(_ name: String, shape: [Int], file: String? = nil) throws(NativeModelError)
    -> NativeTensor
  {
    guard let tensor = tensors[name] else {
      throw NativeModelError(
        code: .missingTensor, file: file, tensor: name, detail: "expected shape \(shape)")
    }
    guard tensor.shape == shape else {
      throw NativeModelError(
        code: .shapeMismatch, file: file, tensor: name,
        detail: "shape \(tensor.shape), expected \(shape)")
    }
    return tensor
  }

  /// Checks that the store holds exactly the tensors `config` needs, with their shapes and
  /// finite values.
  public func validate(for config: NativeModelConfig, file: String? = nil) throws(NativeModelError) {
    let expected = config.tensorShapes
    for (name, shape) in expected {
      let tensor = try require(name, shape: shape, file: file)
      if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
        throw NativeModelError(
          code: .nonFiniteValue, file: file, tensor: name,
          detail: "value \(tensor.values[bad]) at flat index \(bad)")
      }
    }
    let expectedNames = Set(expected.map(\.name))
    if let extra = names.first(where: { !expectedNames.contains($0) }) {
      throw NativeModelError(
        code: .unexpectedTensor, file: file, tensor: extra,
        detail: "not a parameter of this config")
    }
  }
}
