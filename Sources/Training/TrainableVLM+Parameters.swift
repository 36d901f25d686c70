public import Model

extension TrainableVLM {
  /// Parameters from `store`, which must hold the base model's tensors (as `NativeVLM` loads
  /// them); LoRA adapters, when configured, start with `A` normal(0, 1/sqrt(in)) drawn from
  /// `seed` and `B` zero, so the model starts as the base model.
  public func makeParameters(from store: NativeTensorStore, seed: UInt64 = 0, file: String? = nil)
    throws(TrainingError) -> TensorBuffer
  {
    do {
      try store.validate(for: config, file: file)
    } catch {
      throw TrainingError(.configMismatch, file ?? "initial weights", "\(error)")
    }
    let buffer = TensorBuffer(layout)
    for slot in layout.slots {
      if let tensor = store[slot.name] {
        buffer.set(slot.name, tensor.values)
      } else if slot.name.hasSuffix(".lora_a") {
        var random = TrainingRandom(seed: seed, stream: 1, index: UInt64(slot.offset))
        let std = 1 / Float(slot.shape[1]).squareRoot()
        buffer.set(slot.name, (0..<slot.count).map { _ in random.normal() * std })
      }
    }
    return buffer
  }

  /// The base model's tensors with every adapter merged (`W + scale * B A`), loadable by
  /// `NativeVLM(config:weights:)` and savable with `NativeVLM.save`.
  public func mergedWeights(_ params: TensorBuffer) -> NativeTensorStore {
    var store = params.store { !$0.hasSuffix(".lora_a") && !$0.hasSuffix(".lora_b") }
    guard let lora else { return store }
    for layer in 0..<config.lmLayers {
      for target in lora.targets {
        let base = "lm.blocks.\(layer).\(target)"
        guard var weight = store["\(base).weight"] else { continue }
        let a = params.values("\(base).lora_a")
        let b = params.values("\(base).lora_b")
        let (inF, outF) = (weight.shape[1], weight.shape[0])
        let rank = lora.rank
        weight.values.withUnsafeMutableBufferPointer { w in
          a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
              Kernels.gemm(
                m: outF, n: inF, k: rank, alpha: lora.scale, a: b.baseAddress!, lda: rank,
                b: a.baseAddress!, ldb: inF, beta: 1, c: w.baseAddress!, ldc: inF)
            }
          }
        }
        store["\(base).weight"] = weight
      }
    }
    return store
  }
}
