/// LayerNorm over the last dimension with learned scale and shift.
struct LayerNormLayer: Sendable {
  let dim: Int
  let epsilon: Float
  let weight: Int
  let bias: Int
  var train = true

  /// `y = (x - mean) * rstd * w + b`; keeps `mean` and `rstd` per row for the backward pass.
  func forward(
    _ p: ParameterAccess, _ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>,
    mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
  ) {
    let w = p.p(weight)
    let b = p.p(bias)
    let inverseDim = 1 / Float(dim)
    for r in 0..<rows {
      let xr = x + r * dim
      let yr = y + r * dim
      var sum: Float = 0
      for i in 0..<dim { sum += xr[i] }
      let mu = sum * inverseDim
      var squares: Float = 0
      for i in 0..<dim { squares += (xr[i] - mu) * (xr[i] - mu) }
      let s = 1 / (squares * inverseDim + epsilon).squareRoot()
      mean[r] = mu
      rstd[r] = s
      for i in 0..<dim { yr[i] = (xr[i] - mu) * s * w[i] + b[i] }
    }
  }

  /// `dx += d/dx`, and the scale and shift gradients when trainable.
  func backward(
    _ p: ParameterAccess, _ x: UnsafePointer<Float>, rows: Int, mean: UnsafePointer<Float>,
    rstd: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
  ) {
    let w = p.p(weight)
    let gw = p.g(weight)
    let gb = p.g(bias)
    let inverseDim = 1 / Float(dim)
    for r in 0..<rows {
      let xr = x + r * dim
      let dyr = dy + r * dim
      let dxr = dx + r * dim
      let mu = mean[r]
      let s = rstd[r]
      var sumD: Float = 0
      var sumDX: Float = 0
      for i in 0..<dim {
        let xhat = (xr[i] - mu) * s
        let d = dyr[i] * w[i]
        sumD += d
        sumDX += d * xhat
        if train {
          gw[i] += dyr[i] * xhat
          gb[i] += dyr[i]
        }
      }
      let meanD = sumD * inverseDim
      let meanDX = sumDX * inverseDim
      for i in 0..<dim {
        let xhat = (xr[i] - mu) * s
        dxr[i] += s * (dyr[i] * w[i] - meanD - xhat * meanDX)
      }
    }
  }
}
