/// A pre-norm transformer block, `x += proj(attn(norm1(x))); x += fc2(gelu(fc1(norm2(x))))`, with
/// the activations its backward pass needs kept in a `BlockTape`.
struct TransformerBlockLayer: Sendable {
  let dim: Int
  let hidden: Int
  let norm1: LayerNormLayer
  let qkv: LinearLayer
  let attention: AttentionLayer
  let proj: LinearLayer
  let norm2: LayerNormLayer
  let fc1: LinearLayer
  let fc2: LinearLayer

  var maxLoRAWidth: Int { max(qkv.loraWidth, proj.loraWidth, fc1.loraWidth, fc2.loraWidth) }

  /// Runs the block over `x` (`[shape.rows, dim]`, updated in place).
  func forward(
    _ p: ParameterAccess, _ x: UnsafeMutablePointer<Float>, shape: AttentionShape, tape: BlockTape
  ) {
    let rows = shape.rows
    tape.prepare(
      rows: rows, dim: dim, hidden: hidden, lora: maxLoRAWidth,
      probs: attention.heads * shape.probabilitiesPerHead)
    tape.x0.update(from: x, count: rows * dim)
    norm1.forward(p, x, rows: rows, into: tape.n1, mean: tape.mean1, rstd: tape.rstd1)
    qkv.forward(p, tape.n1, rows: rows, into: tape.qkv, loraHidden: tape.uQKV)
    attention.forward(tape.qkv, shape: shape, into: tape.attended, probs: tape.probs)
    proj.forward(p, tape.attended, rows: rows, into: x, accumulate: true, loraHidden: tape.uProj)
    tape.x1.update(from: x, count: rows * dim)
    norm2.forward(p, x, rows: rows, into: tape.n2, mean: tape.mean2, rstd: tape.rstd2)
    fc1.forward(p, tape.n2, rows: rows, into: tape.h, loraHidden: tape.uFC1)
    Kernels.gelu(tape.h, into: tape.g, count: rows * hidden)
    fc2.forward(p, tape.g, rows: rows, into: x, accumulate: true, loraHidden: tape.uFC2)
  }

  /// Back-propagates the residual gradient `dx` (`[rows, dim]`, updated in place) through the
  /// block, adding parameter gradients.
  func backward(
    _ p: ParameterAccess, dx: UnsafeMutablePointer<Float>, shape: AttentionShape, tape: BlockTape,
    work: Workspace
  ) {
    let rows = shape.rows
    let dHidden = work(WorkSlot.blockHidden, rows * hidden)
    let dNormed = work(WorkSlot.blockNormed, rows * dim)
    let dQKV = work(WorkSlot.blockQKV, rows * 3 * dim)
    let loraScratch = work(WorkSlot.blockLoRA, rows * max(maxLoRAWidth, 1))
    fc2.backward(
      p, tape.g, rows: rows, dy: dx, loraHidden: tape.uFC2, dx: dHidden, scratch: loraScratch)
    Kernels.geluBackward(tape.h, dHidden, into: dHidden, count: rows * hidden)
    fc1.backward(
      p, tape.n2, rows: rows, dy: dHidden, loraHidden: tape.uFC1, dx: dNormed, scratch: loraScratch)
    norm2.backward(p, tape.x1, rows: rows, mean: tape.mean2, rstd: tape.rstd2, dy: dNormed, dx: dx)
    proj.backward(
      p, tape.attended, rows: rows, dy: dx, loraHidden: tape.uProj, dx: dNormed, scratch: loraScratch)
    attention.backward(
      tape.qkv, shape: shape, probs: tape.probs, dout: dNormed, dqkv: dQKV,
      scratch: work(WorkSlot.attentionScores, shape.probabilitiesPerHead))
    qkv.backward(
      p, tape.n1, rows: rows, dy: dQKV, loraHidden: tape.uQKV, dx: dNormed, scratch: loraScratch)
    norm1.backward(p, tape.x0, rows: rows, mean: tape.mean1, rstd: tape.rstd1, dy: dNormed, dx: dx)
  }
}

/// Scratch slots of a `Workspace` used by the layers.
enum WorkSlot {
  static let blockHidden = 1
  static let blockNormed = 2
  static let blockQKV = 3
  static let blockLoRA = 4
  static let attentionScores = 5
  static let residual = 10
  static let residualGrad = 11
  static let patches = 12
  static let visionFeatures = 13
  static let merged = 14
  static let mergedGrad = 15
  static let visual = 16
  static let visualGrad = 17
  static let finalNormed = 18
  static let finalMean = 19
  static let finalRstd = 20
  static let logits = 21
  static let gathered = 22
  static let gatheredGrad = 23
  static let featureGrad = 24
  static let pooled = 25
  static let pooledGrad = 26
  static let projected = 27
  static let projectedGrad = 28
}

/// The activations of one block kept between its forward and backward passes.
final class BlockTape {
  private let storage = Workspace()
  private(set) var x0: UnsafeMutablePointer<Float>!
  private(set) var n1: UnsafeMutablePointer<Float>!
  private(set) var mean1: UnsafeMutablePointer<Float>!
  private(set) var rstd1: UnsafeMutablePointer<Float>!
  private(set) var qkv: UnsafeMutablePointer<Float>!
  private(set) var uQKV: UnsafeMutablePointer<Float>!
  private(set) var probs: UnsafeMutablePointer<Float>!
  private(set) var attended: UnsafeMutablePointer<Float>!
  private(set) var uProj: UnsafeMutablePointer<Float>!
  private(set) var x1: UnsafeMutablePointer<Float>!
  private(set) var n2: UnsafeMutablePointer<Float>!
  private(set) var mean2: UnsafeMutablePointer<Float>!
  private(set) var rstd2: UnsafeMutablePointer<Float>!
  private(set) var h: UnsafeMutablePointer<Float>!
  private(set) var g: UnsafeMutablePointer<Float>!
  private(set) var uFC1: UnsafeMutablePointer<Float>!
  private(set) var uFC2: UnsafeMutablePointer<Float>!

  func prepare(rows: Int, dim: Int, hidden: Int, lora: Int, probs probCount: Int) {
    x0 = storage(0, rows * dim)
    n1 = storage(1, rows * dim)
    mean1 = storage(2, rows)
    rstd1 = storage(3, rows)
    qkv = storage(4, rows * 3 * dim)
    uQKV = storage(5, rows * max(lora, 1))
    probs = storage(6, probCount)
    attended = storage(7, rows * dim)
    uProj = storage(8, rows * max(lora, 1))
    x1 = storage(9, rows * dim)
    n2 = storage(10, rows * dim)
    mean2 = storage(11, rows)
    rstd2 = storage(12, rows)
    h = storage(13, rows * hidden)
    g = storage(14, rows * hidden)
    uFC1 = storage(15, rows * max(lora, 1))
    uFC2 = storage(16, rows * max(lora, 1))
  }
}
