import Model
import Testing

@testable import Training

/// Finite-difference checks of every layer's backward pass and of the whole model. Losses are
/// summed in Double; central differences; tolerances relative to the gradient's size.
@Suite struct GradientCheckTests {
  /// Compares an analytic gradient with central differences of `loss` at the given coordinates.
  static func check(
    _ values: UnsafeMutablePointer<Float>, coordinates: [Int], analytic: (Int) -> Double,
    epsilon: Float = 1e-2, tolerance: Double = 2e-2, floor: Double = 2e-3, loss: () -> Double,
    label: String
  ) {
    for i in coordinates {
      let saved = values[i]
      values[i] = saved + epsilon
      let up = loss()
      values[i] = saved - epsilon
      let down = loss()
      values[i] = saved
      let numeric = (up - down) / Double(2 * epsilon)
      let exact = analytic(i)
      let error = abs(numeric - exact)
      #expect(
        error <= tolerance * max(abs(numeric), abs(exact)) + floor,
        "\(label)[\(i)]: analytic \(exact), numeric \(numeric)")
    }
  }

  static func dot(_ a: UnsafePointer<Float>, _ b: [Float]) -> Double {
    var total = 0.0
    for i in b.indices { total += Double(a[i]) * Double(b[i]) }
    return total
  }

  /// A layer's parameters and gradients in one small layout.
  final class Parameters {
    let buffer: TensorBuffer
    let grads: TensorBuffer
    init(_ shapes: [(String, [Int])], seed: UInt64) {
      let layout = TensorLayout(shapes.map { (name: $0.0, shape: $0.1) })
      buffer = TensorBuffer(layout)
      grads = TensorBuffer(layout)
      for slot in layout.slots {
        buffer.set(slot.name, Fixture.values(slot.count, seed: seed &+ UInt64(slot.offset), scale: 0.5))
      }
    }
    var access: ParameterAccess { ParameterAccess(params: buffer.base, grads: grads.base) }
    func offset(_ name: String) -> Int { buffer.layout.offset(name) }
  }

  @Test(arguments: [false, true])
  func linear(withLoRA: Bool) {
    let (rows, inF, outF, rank) = (5, 6, 4, 2)
    var shapes = [("w", [outF, inF]), ("b", [outF])]
    if withLoRA { shapes += [("a", [rank, inF]), ("bb", [outF, rank])] }
    let p = Parameters(shapes, seed: 1)
    let layer = LinearLayer(
      inFeatures: inF, outFeatures: outF, weight: p.offset("w"), bias: p.offset("b"),
      lora: withLoRA ? .init(a: p.offset("a"), b: p.offset("bb"), rank: rank, scale: 1.5) : nil)
    var x = Fixture.values(rows * inF, seed: 2)
    let r = Fixture.values(rows * outF, seed: 3)
    var y = [Float](repeating: 0, count: rows * outF)
    var u = [Float](repeating: 0, count: rows * rank)
    func loss() -> Double {
      layer.forward(p.access, x, rows: rows, into: &y, loraHidden: &u)
      return Self.dot(y, r)
    }
    _ = loss()
    var dx = [Float](repeating: 0, count: rows * inF)
    var scratch = [Float](repeating: 0, count: rows * rank)
    layer.backward(p.access, x, rows: rows, dy: r, loraHidden: u, dx: &dx, scratch: &scratch)
    Self.check(
      p.buffer.base, coordinates: Array(0..<p.buffer.count), analytic: { Double(p.grads.base[$0]) },
      loss: loss, label: "linear params")
    x.withUnsafeMutableBufferPointer { xs in
      Self.check(
        xs.baseAddress!, coordinates: Array(0..<(rows * inF)), analytic: { Double(dx[$0]) },
        loss: {
          layer.forward(p.access, xs.baseAddress!, rows: rows, into: &y, loraHidden: &u);
          return Self.dot(y, r)
        },
        label: "linear dx")
    }
  }

  @Test func layerNorm() {
    let (rows, dim) = (4, 8)
    let p = Parameters([("w", [dim]), ("b", [dim])], seed: 4)
    let layer = LayerNormLayer(dim: dim, epsilon: 1e-5, weight: p.offset("w"), bias: p.offset("b"))
    var x = Fixture.values(rows * dim, seed: 5, scale: 2)
    let r = Fixture.values(rows * dim, seed: 6)
    var y = [Float](repeating: 0, count: rows * dim)
    var mean = [Float](repeating: 0, count: rows)
    var rstd = [Float](repeating: 0, count: rows)
    layer.forward(p.access, x, rows: rows, into: &y, mean: &mean, rstd: &rstd)
    var dx = [Float](repeating: 0, count: rows * dim)
    layer.backward(p.access, x, rows: rows, mean: mean, rstd: rstd, dy: r, dx: &dx)
    x.withUnsafeMutableBufferPointer { xs in
      let loss = {
        layer.forward(p.access, xs.baseAddress!, rows: rows, into: &y, mean: &mean, rstd: &rstd)
        return Self.dot(y, r)
      }
      Self.check(
        p.buffer.base, coordinates: Array(0..<p.buffer.count), analytic: { Double(p.grads.base[$0]) },
        loss: loss, label: "layernorm params")
      Self.check(
        xs.baseAddress!, coordinates: Array(0..<(rows * dim)), analytic: { Double(dx[$0]) },
        epsilon: 1e-3, loss: loss, label: "layernorm dx")
    }
  }

  @Test func gelu() {
    var x = Fixture.values(24, seed: 8, scale: 3)
    let r = Fixture.values(24, seed: 9)
    var y = [Float](repeating: 0, count: 24)
    var dx = [Float](repeating: 0, count: 24)
    Kernels.geluBackward(x, r, into: &dx, count: 24)
    x.withUnsafeMutableBufferPointer { xs in
      Self.check(
        xs.baseAddress!, coordinates: Array(0..<24), analytic: { Double(dx[$0]) }, epsilon: 1e-3,
        loss: {
          Kernels.gelu(xs.baseAddress!, into: &y, count: 24); return Self.dot(y, r)
        },
        label: "gelu dx")
    }
  }

  /// Shared causal rows with suffix groups (the LM layout), and plain bidirectional rows (ViT).
  @Test(arguments: [
    AttentionShape(shared: 5, groups: 3, suffix: 4, causal: true),
    AttentionShape(shared: 6, causal: false),
  ])
  func attention(shape: AttentionShape) {
    let layer = AttentionLayer(dim: 8, heads: 2)
    let rows = shape.rows
    var qkv = Fixture.values(rows * 24, seed: 10, scale: 1.5)
    let r = Fixture.values(rows * 8, seed: 11)
    var out = [Float](repeating: 0, count: rows * 8)
    var probs = [Float](repeating: 0, count: 2 * shape.probabilitiesPerHead)
    layer.forward(qkv, shape: shape, into: &out, probs: &probs)
    var dqkv = [Float](repeating: 0, count: rows * 24)
    var scratch = [Float](repeating: 0, count: shape.probabilitiesPerHead)
    layer.backward(qkv, shape: shape, probs: probs, dout: r, dqkv: &dqkv, scratch: &scratch)
    qkv.withUnsafeMutableBufferPointer { q in
      Self.check(
        q.baseAddress!, coordinates: Array(0..<(rows * 24)), analytic: { Double(dqkv[$0]) },
        epsilon: 1e-3,
        loss: {
          layer.forward(q.baseAddress!, shape: shape, into: &out, probs: &probs); return Self.dot(out, r)
        },
        label: "attention dqkv")
    }
  }

  /// The whole model, every tensor (LoRA adapters included): a directional derivative along a
  /// random direction per tensor, against the analytic gradient's projection.
  /// With 2 frames the encoder runs once per frame and its gradients add up (the earlier frame's
  /// pass is recomputed in the backward pass).
  /// The addressed config (`microAddressed`) checks the visual row/column and coordinate
  /// embedding tables too, with and without LoRA and with 2 frames (each frame's visual tokens
  /// get the same row/column rows).
  @Test(arguments: [
    (false, 1, false), (true, 1, false), (false, 2, false), (false, 1, true), (true, 1, true),
    (false, 2, true),
  ])
  func fullModel(withLoRA: Bool, frames: Int, addressed: Bool) throws {
    let (model, params) = Fixture.model(
      lora: withLoRA ? LoRAConfig(rank: 2) : nil, config: addressed ? .microAddressed : Fixture.config)
    let grads = TensorBuffer(model.layout)
    let pixels = (0..<frames).flatMap { Fixture.pixels(seed: 7 + UInt64($0)) }
    let group = try SequenceGroup(Fixture.examples, frames: frames, config: model.config)
    let tape = ModelTape(visionLayers: model.config.visionLayers, lmLayers: model.config.lmLayers)
    let access = ParameterAccess(params: params.base, grads: grads.base)
    func loss(gradients: Bool) -> Double {
      pixels.withUnsafeBufferPointer {
        model.loss(access, pixels: $0.baseAddress!, group: group, tape: tape, lossScale: gradients ? 1 : nil)
      }
    }
    _ = loss(gradients: true)
    for slot in model.layout.slots where model.isTrainable(slot.name) {
      let direction = Fixture.values(slot.count, seed: UInt64(slot.offset) &+ 99)
      let p = params.base + slot.offset
      let saved = Array(UnsafeBufferPointer(start: p, count: slot.count))
      let epsilon: Float = 2e-3
      func shifted(_ sign: Float) -> Double {
        for i in 0..<slot.count { p[i] = saved[i] + sign * epsilon * direction[i] }
        return loss(gradients: false)
      }
      let numeric = (shifted(1) - shifted(-1)) / Double(2 * epsilon)
      for i in 0..<slot.count { p[i] = saved[i] }
      let exact = Self.dot(grads.base + slot.offset, direction)
      #expect(
        abs(numeric - exact) <= 3e-2 * max(abs(numeric), abs(exact)) + 2e-2,
        "\(slot.name): analytic \(exact), numeric \(numeric)")
    }
  }
}
