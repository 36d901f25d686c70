/// What a run changes as it trains: the parameters, AdamW's two moments and the step count.
public final class TrainingState: @unchecked Sendable {
  public let model: TrainableVLM
  public let params: TensorBuffer
  public let m: TensorBuffer
  public let v: TensorBuffer
  /// Steps taken so far (the next step is `step + 1`).
  public var step: Int

  public init(model: TrainableVLM, params: TensorBuffer) {
    precondition(params.layout == model.layout, "parameters in another layout")
    self.model = model
    self.params = params
    m = TensorBuffer(model.layout)
    v = TensorBuffer(model.layout)
    step = 0
  }
}
