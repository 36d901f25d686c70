import Foundation

/// AdamW (decoupled weight decay) hyper-parameters.
public struct AdamW: Sendable, Codable, Equatable {
  public var beta1: Float = 0.9
  public var beta2: Float = 0.95
  public var epsilon: Float = 1e-8
  public var weightDecay: Float = 0.01

  public init(beta1: Float = 0.9, beta2: Float = 0.95, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
  }

  /// One update of `count` values at step `step` (1-based, for bias correction).
  func update(
    params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
    v: UnsafeMutablePointer<Float>, count: Int, step: Int, learningRate: Float, decay: Bool
  ) {
    let correction1 = 1 - Float(Double(beta1).power(step))
    let correction2 = 1 - Float(Double(beta2).power(step))
    let stepSize = learningRate / correction1
    let decayFactor = decay ? 1 - learningRate * weightDecay : 1
    for i in 0..<count {
      let g = grads[i]
      m[i] = beta1 * m[i] + (1 - beta1) * g
      v[i] = beta2 * v[i] + (1 - beta2) * g * g
      let denominator = (v[i] / correction2).squareRoot() + epsilon
      params[i] = params[i] * decayFactor - stepSize * m[i] / denominator
    }
  }
}

extension Double {
  func power(_ n: Int) -> Double {
    var result = 1.0
    for _ in 0..<n { result *= self }
    return result
  }
}

/// Linear warm-up to `peak`, then cosine decay to `peak * minRatio` at `totalSteps`.
public struct CosineSchedule: Sendable, Codable, Equatable {
  public var peak: Float
  public var warmupSteps: Int
  public var totalSteps: Int
  public var minRatio: Float

  public init(peak: Float, warmupSteps: Int, totalSteps: Int, minRatio: Float = 0.1) {
    self.peak = peak
    self.warmupSteps = warmupSteps
    self.totalSteps = totalSteps
    self.minRatio = minRatio
  }

  /// The rate for step `step` (1-based).
  public func rate(step: Int) -> Float {
    if step <= warmupSteps { return peak * Float(step) / Float(max(warmupSteps, 1)) }
    let span = max(totalSteps - warmupSteps, 1)
    let progress = min(Float(step - warmupSteps) / Float(span), 1)
    let cosine = Float(0.5 * (1 + cos(Double.pi * Double(progress))))
    return peak * (minRatio + (1 - minRatio) * cosine)
  }
}
