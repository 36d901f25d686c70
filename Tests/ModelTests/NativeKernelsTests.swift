import Foundation
import Testing

@testable import Model

@Suite struct NativeKernelsTests {
  /// Applies a kernel to a copy of `values` and returns the result.
  static func apply(_ values: [Float], _ body: (UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
    var copy = values
    copy.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
    return copy
  }

  @Test func expMatchesTheLibraryWithinTwoMillionths() {
    let xs = stride(from: -87.0, through: 88.0, by: 0.0137).map { Float($0) }
    for first in stride(from: 0, to: xs.count - 8, by: 8) {
      let v = NativeKernels.exp(NativeKernels.Vector(xs[first..<(first + 8)]))
      for i in 0..<8 {
        let exact = Foundation.exp(Double(xs[first + i]))
        #expect(abs(Double(v[i]) - exact) / exact < 2e-6, "x = \(xs[first + i])")
      }
    }
    // Clamped far outside the float range instead of producing garbage.
    let extreme = NativeKernels.exp(NativeKernels.Vector(-1000, -200, -88, 0, 1, 89, 200, 1000))
    #expect(extreme[0] < 1e-37 && extreme[0] >= 0)
    #expect(extreme[3] == 1)
    #expect(extreme[7].isFinite && extreme[7] > 1e38)
  }

  @Test func geluIsTheTanhForm() {
    let xs = stride(from: -12.0, through: 12.0, by: 0.173).map { Float($0) }
    let out = Self.apply(xs) { NativeKernels.geluInPlace($0, count: $1) }
    for (x, y) in zip(xs, out) {
      let d = Double(x)
      let exact = 0.5 * d * (1 + tanh((2 / Double.pi).squareRoot() * (d + 0.044715 * d * d * d)))
      #expect(abs(Double(y) - exact) < 2e-6, "x = \(x)")
    }
  }

  @Test(arguments: [1, 5, 8, 13, 84])
  func softmaxMatchesADoubleComputation(count: Int) {
    let xs = (0..<count).map { Float(sin(Double($0) * 1.7) * 9) }
    let out = Self.apply(xs) { NativeKernels.softmax($0, count: $1) }
    let m = xs.map(Double.init).max()!
    let e = xs.map { Foundation.exp(Double($0) - m) }
    let total = e.reduce(0, +)
    for (y, exact) in zip(out, e.map { $0 / total }) { #expect(abs(Double(y) - exact) < 1e-6) }
  }

  @Test(arguments: [3, 8, 20, 128])
  func layerNormMatchesADoubleComputation(dim: Int) {
    let rows = 3
    let x = (0..<(rows * dim)).map { Float(cos(Double($0) * 0.91) * 3 + Double($0 % 7)) }
    let weight = (0..<dim).map { Float(1 + Double($0) * 0.01) }
    let bias = (0..<dim).map { Float(Double($0) * -0.02) }
    var y = [Float](repeating: 0, count: rows * dim)
    x.withUnsafeBufferPointer { xp in
      y.withUnsafeMutableBufferPointer { yp in
        NativeKernels.layerNorm(
          xp.baseAddress!, rows: rows, dim: dim, weight: weight, bias: bias, epsilon: 1e-5,
          into: yp.baseAddress!)
      }
    }
    for r in 0..<rows {
      let row = x[(r * dim)..<((r + 1) * dim)].map(Double.init)
      let mean = row.reduce(0, +) / Double(dim)
      let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(dim)
      for i in 0..<dim {
        let exact = (row[i] - mean) / (variance + 1e-5).squareRoot() * Double(weight[i]) + Double(bias[i])
        #expect(abs(Double(y[r * dim + i]) - exact) < 1e-5)
      }
    }
  }

  @Test func argmaxPrefersTheFirstOfEqualValues() {
    let values: [Float] = [0, 3, 1, 3, 9]
    values.withUnsafeBufferPointer {
      #expect(NativeKernels.argmax($0.baseAddress!, in: 0...3) == 1)
      #expect(NativeKernels.argmax($0.baseAddress!, in: 0...4) == 4)
    }
  }
}
