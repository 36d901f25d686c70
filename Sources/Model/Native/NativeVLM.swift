/// The in-process vision-language model behind the `native:` backend. Weights are immutable and
/// every call allocates its own scratch, so one instance may serve many threads at once.
public final class NativeVLM: Sendable {
  public let config: NativeModelConfig
  /// The parameters by name, exactly as saved and loaded.
  public let weights: NativeTensorStore
  let vision: NativeVisionEncoder
  let connector: NativeConnector
  let lm: NativeLanguageModel

  /// Builds the model from `weights`, which must hold exactly the tensors of `config`.
  /// `blasThreads` sets OpenBLAS's process-wide thread count (nil leaves it alone).
  public convenience init(config: NativeModelConfig, weights: NativeTensorStore, blasThreads: Int? = 1)
    throws(NativeModelError)
  {
    try self.init(config: config, weights: weights, blasThreads: blasThreads, file: nil)
  }

  init(config: NativeModelConfig, weights: NativeTensorStore, blasThreads: Int?, file: String?)
    throws(NativeModelError)
  {
    try config.validate(file: file)
    try weights.validate(for: config, file: file)
    self.config = config
    self.weights = weights
    vision = try NativeVisionEncoder(weights, config: config)
    connector = try NativeConnector(weights, config: config)
    lm = try NativeLanguageModel(weights, config: config)
    // Only when it changes: resizing OpenBLAS's pool while another thread is inside it is unsafe.
    if let blasThreads, NativeBLAS.threadCount != max(1, blasThreads) {
      NativeBLAS.threadCount = blasThreads
    }
  }
}
