/// A dense, row-major float tensor: the unit of the parameter store and of safetensors I/O.
public struct NativeTensor: Sendable, Equatable {
  public let shape: [Int]
  public var values: [Float]

  /// `values.count` must equal the product of `shape`.
  public init(shape: [Int], values: [Float]) {
    precondition(values.count == shape.reduce(1, *), "tensor values do not match shape \(shape)")
    self.shape = shape
    self.values = values
  }

  public init(zeros shape: [Int]) {
    self.init(shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *)))
  }

  public var count: Int { values.count }
}
