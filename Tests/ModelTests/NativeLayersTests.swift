import Foundation
import Testing

@testable import Model

/// The layers against plain loops written from their definitions.
@Suite struct NativeLayersTests {
  static func values(_ count: Int, seed: UInt64) -> [Float] {
    var random = NativeRandom(seed: seed)
    return (0..<count).map { _ in random.nextNormal() }
  }

  @Test(arguments: [false, true])
  func linearIsXTimesWTransposedPlusBias(accumulate: Bool) throws {
    let (rows, input, output) = (5, 7, 3)
    let store = NativeTensorStore([
      "l.weight": NativeTensor(shape: [output, input], values: Self.values(output * input, seed: 1)),
      "l.bias": NativeTensor(shape: [output], values: Self.values(output, seed: 2)),
    ])
    let linear = try NativeLinear(store, "l", in: input, out: output)
    // x rows have stride 9, y rows stride 4, to exercise the leading dimensions.
    let x = Self.values(rows * 9, seed: 3)
    let start = Self.values(rows * 4, seed: 4)
    var y = start
    x.withUnsafeBufferPointer { xp in
      y.withUnsafeMutableBufferPointer { yp in
        linear.forward(
          xp.baseAddress!, ldx: 9, rows: rows, into: yp.baseAddress!, ldy: 4, accumulate: accumulate,
          profile: nil)
      }
    }
    let w = store["l.weight"]!.values
    let b = store["l.bias"]!.values
    for r in 0..<rows {
      for o in 0..<output {
        var exact = Double(b[o]) + (accumulate ? Double(start[r * 4 + o]) : 0)
        for i in 0..<input { exact += Double(x[r * 9 + i]) * Double(w[o * input + i]) }
        #expect(abs(Double(y[r * 4 + o]) - exact) < 1e-5)
      }
      #expect(y[r * 4 + 3] == start[r * 4 + 3], "the column past the output is untouched")
    }
  }

  @Test(arguments: [false, true])
  func attentionMatchesPlainLoops(causal: Bool) throws {
    let (rows, dim, heads) = (6, 8, 2)
    let headDim = dim / heads
    let store = NativeTensorStore([
      "a.qkv.weight": NativeTensor(shape: [3 * dim, dim], values: Self.values(3 * dim * dim, seed: 5)),
      "a.qkv.bias": NativeTensor(shape: [3 * dim], values: Self.values(3 * dim, seed: 6)),
      "a.proj.weight": NativeTensor(shape: [dim, dim], values: Self.values(dim * dim, seed: 7)),
      "a.proj.bias": NativeTensor(shape: [dim], values: Self.values(dim, seed: 8)),
    ])
    let attention = try NativeAttention(store, "a", dim: dim, heads: heads)
    let x = Self.values(rows * dim, seed: 9)
    var residual = [Float](repeating: 0, count: rows * dim)
    var keys = residual
    var values = residual
    x.withUnsafeBufferPointer { xp in
      residual.withUnsafeMutableBufferPointer { rp in
        keys.withUnsafeMutableBufferPointer { kp in
          values.withUnsafeMutableBufferPointer { vp in
            attention.forward(
              xp.baseAddress!, rows: rows, causal: causal, addingTo: rp.baseAddress!,
              keys: kp.baseAddress!, values: vp.baseAddress!, profile: nil)
          }
        }
      }
    }
    // Plain loops in Double.
    func linear(_ name: String, _ input: [Double], out: Int) -> [Double] {
      let w = store["\(name).weight"]!.values
      let b = store["\(name).bias"]!.values
      let inFeatures = input.count / rows
      return (0..<(rows * out)).map { index in
        let (r, o) = (index / out, index % out)
        return Double(b[o])
          + (0..<inFeatures).reduce(0) { $0 + input[r * inFeatures + $1] * Double(w[o * inFeatures + $1]) }
      }
    }
    let qkv = linear("a.qkv", x.map(Double.init), out: 3 * dim)
    var mixed = [Double](repeating: 0, count: rows * dim)
    for h in 0..<heads {
      for t in 0..<rows {
        let visible = causal ? t + 1 : rows
        let scores = (0..<visible).map { s in
          (0..<headDim).reduce(0.0) {
            $0 + qkv[t * 3 * dim + h * headDim + $1] * qkv[s * 3 * dim + dim + h * headDim + $1]
          } / Double(headDim).squareRoot()
        }
        let m = scores.max()!
        let e = scores.map { Foundation.exp($0 - m) }
        let total = e.reduce(0, +)
        for s in 0..<visible {
          for i in 0..<headDim {
            mixed[t * dim + h * headDim + i] += e[s] / total * qkv[s * 3 * dim + 2 * dim + h * headDim + i]
          }
        }
      }
    }
    let expected = linear("a.proj", mixed, out: dim)
    for i in 0..<(rows * dim) { #expect(abs(Double(residual[i]) - expected[i]) < 1e-4) }
    for r in 0..<rows {
      for c in 0..<dim {
        #expect(abs(Double(keys[r * dim + c]) - qkv[r * 3 * dim + dim + c]) < 1e-5)
        #expect(abs(Double(values[r * dim + c]) - qkv[r * 3 * dim + 2 * dim + c]) < 1e-5)
      }
    }
  }

  @Test func patchesAndMergedTokensFollowTheDocumentedOrder() throws {
    let config = NativeModelConfig.micro  // 16x16 image, 4x4 patches, 4x4 grid
    let model = try NativeVLM.random(config: config, seed: 1)
    let size = config.imageSize
    // Pixel value encodes (channel, y, x).
    let pixels = (0..<(3 * size * size)).map { Float($0) }
    let patches = pixels.withUnsafeBufferPointer { model.vision.patchify($0.baseAddress!) }.array
    let width = config.patchInputSize
    // Patch (gy 1, gx 2), channel 2, row 3, column 1 → pixel (2, 1*4+3, 2*4+1).
    let index = (1 * config.gridSize + 2) * width + 2 * 16 + 3 * 4 + 1
    #expect(patches[index] == Float(2 * size * size + 7 * size + 9))
    // Merged token (my 1, mx 0) holds patches (2,0), (2,1), (3,0), (3,1) in that order.
    let dim = config.visionDim
    let features = (0..<(config.patchCount * dim)).map { Float($0 / dim) }  // each row = its patch index
    let merged = features.withUnsafeBufferPointer { model.connector.merge($0.baseAddress!) }.array
    let token = 1 * (config.gridSize / 2) + 0
    let slots = (0..<4).map { merged[(token * 4 + $0) * dim] }
    #expect(slots == [8, 9, 12, 13])
  }
}
