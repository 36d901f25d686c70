import Dispatch
import Foundation
public import Model

/// Contrastive pre-training of the vision encoder alone (the stand-in for a frozen CLIP
/// encoder): InfoNCE (NT-Xent) between two augmented views of each crop, on the mean-pooled
/// encoder features through a linear projection head (discarded afterwards). The views differ
/// in colour, blur and framing, so the encoder learns to be invariant to them, as CLIP is.
public final class EncoderPretrainer {
  public let model: TrainableVLM
  public let state: TrainingState
  public let augmenter: ViewAugmenter
  public let temperature: Float
  public let projection: Int
  public let schedule: CosineSchedule
  public let threads: Int
  let headLayout: TensorLayout
  let head: TensorBuffer
  let headGrads: TensorBuffer
  let headM: TensorBuffer
  let headV: TensorBuffer
  let grads: [TensorBuffer]
  let tapes: [ModelTape]
  let optimizer = AdamW(weightDecay: 0.01)

  public init(
    config: NativeModelConfig, initial: NativeTensorStore, augmenter: ViewAugmenter, projection: Int = 64,
    temperature: Float = 0.2, schedule: CosineSchedule, threads: Int, seed: UInt64
  ) throws(TrainingError) {
    model = TrainableVLM(config: config, parts: [.vision])
    state = TrainingState(model: model, params: try model.makeParameters(from: initial))
    self.augmenter = augmenter
    self.temperature = temperature
    self.projection = projection
    self.schedule = schedule
    self.threads = max(1, threads)
    headLayout = TensorLayout([("proj.weight", [projection, config.visionDim]), ("proj.bias", [projection])])
    head = TensorBuffer(headLayout)
    headGrads = TensorBuffer(headLayout)
    headM = TensorBuffer(headLayout)
    headV = TensorBuffer(headLayout)
    var random = TrainingRandom(seed: seed, stream: 4, index: 0)
    let std = 1 / Float(config.visionDim).squareRoot()
    head.set("proj.weight", (0..<(projection * config.visionDim)).map { _ in random.normal() * std })
    let layout = model.layout
    let count = max(1, threads)
    grads = (0..<count).map { _ in TensorBuffer(layout) }
    tapes = (0..<count).map { _ in ModelTape(visionLayers: config.visionLayers, lmLayers: 0) }
  }

  /// Runs `body(view, thread)` for every view, views split across the threads.
  private func parallel(_ count: Int, _ body: @escaping @Sendable (Int, Int) -> Void) {
    let threads = threads
    if threads == 1 {
      for i in 0..<count { body(i, 0) }
      return
    }
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
      var i = thread
      while i < count {
        body(i, thread)
        i += threads
      }
    }
  }

  /// One step on `pairs` crops (2 x pairs views): returns the loss and how often a view's most
  /// similar other view is its partner.
  public func step(pairs: Int, seed: UInt64) throws(TrainingError) -> (loss: Double, accuracy: Double) {
    let next = state.step + 1
    var random = TrainingRandom(seed: seed, stream: 5, index: UInt64(next))
    var views: [[Float]] = []
    for _ in 0..<pairs {
      let base = augmenter.baseCrop(&random)
      views.append(augmenter.view(of: base, &random))
      views.append(augmenter.view(of: base, &random))
    }
    let n = views.count
    let dim = model.config.visionDim
    let rows = model.config.patchCount
    let pooled = SharedFloats(n * dim)
    let params = state.params
    let model = model
    let tapes = tapes
    let grads = grads
    let viewsCopy = views
    // Pass 1: features of every view (no gradients kept).
    parallel(n) { i, thread in
      let access = ParameterAccess(params: params.base, grads: grads[thread].base)
      viewsCopy[i].withUnsafeBufferPointer { p in
        let features = model.visionForward(access, pixels: p.baseAddress!, tape: tapes[thread])
        let out = pooled.base + i * dim
        out.update(repeating: 0, count: dim)
        for r in 0..<rows { Kernels.axpy(1 / Float(rows), features + r * dim, out, count: dim) }
      }
    }
    // Projection, normalisation, InfoNCE and their gradients (small: done here).
    headGrads.zero()
    let w = head.base + headLayout.offset("proj.weight")
    let b = head.base + headLayout.offset("proj.bias")
    var raw = [Float](repeating: 0, count: n * projection)
    Kernels.gemm(
      transB: true, m: n, n: projection, k: dim, a: pooled.base, lda: dim, b: w, ldb: dim, beta: 0, c: &raw,
      ldc: projection)
    var z = raw
    var norms = [Float](repeating: 0, count: n)
    for i in 0..<n {
      for j in 0..<projection { raw[i * projection + j] += b[j] }
      var s: Float = 0
      for j in 0..<projection { s += raw[i * projection + j] * raw[i * projection + j] }
      norms[i] = max(s.squareRoot(), 1e-6)
      for j in 0..<projection { z[i * projection + j] = raw[i * projection + j] / norms[i] }
    }
    var similarity = [Float](repeating: 0, count: n * n)
    Kernels.gemm(
      transB: true, m: n, n: n, k: projection, alpha: 1 / temperature, a: z, lda: projection, b: z,
      ldb: projection, beta: 0, c: &similarity, ldc: n)
    var loss = 0.0
    var correct = 0
    var dSimilarity = [Float](repeating: 0, count: n * n)
    for i in 0..<n {
      let partner = i ^ 1
      var m = -Float.infinity
      var best = -1
      for j in 0..<n where j != i {
        if similarity[i * n + j] > m {
          m = similarity[i * n + j]
          best = j
        }
      }
      if best == partner { correct += 1 }
      var total = 0.0
      for j in 0..<n where j != i { total += Foundation.exp(Double(similarity[i * n + j] - m)) }
      loss += log(total) - Double(similarity[i * n + partner] - m)
      for j in 0..<n where j != i {
        let p = Float(Foundation.exp(Double(similarity[i * n + j] - m)) / total)
        dSimilarity[i * n + j] = (p - (j == partner ? 1 : 0)) / Float(n)
      }
    }
    loss /= Double(n)
    guard loss.isFinite else {
      throw TrainingError(.nonFinite, "encoder step \(next)", "the loss is \(loss)")
    }
    // d z_i = sum_j (dS[i,j] + dS[j,i]) z_j / T
    var symmetric = [Float](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0..<n { symmetric[i * n + j] = dSimilarity[i * n + j] + dSimilarity[j * n + i] }
    }
    var dz = [Float](repeating: 0, count: n * projection)
    Kernels.gemm(
      m: n, n: projection, k: n, alpha: 1 / temperature, a: symmetric, lda: n, b: z, ldb: projection, beta: 0,
      c: &dz, ldc: projection)
    var dRaw = [Float](repeating: 0, count: n * projection)
    for i in 0..<n {
      var dot: Float = 0
      for j in 0..<projection { dot += z[i * projection + j] * dz[i * projection + j] }
      for j in 0..<projection {
        dRaw[i * projection + j] = (dz[i * projection + j] - z[i * projection + j] * dot) / norms[i]
      }
    }
    Kernels.gemm(
      transA: true, m: projection, n: dim, k: n, a: dRaw, lda: projection, b: pooled.base, ldb: dim, beta: 1,
      c: headGrads.base + headLayout.offset("proj.weight"), ldc: dim)
    Kernels.addColumnSums(
      dRaw, rows: n, dim: projection, into: headGrads.base + headLayout.offset("proj.bias"))
    let dPooled = SharedFloats(n * dim)
    Kernels.gemm(
      m: n, n: dim, k: projection, a: dRaw, lda: projection, b: w, ldb: dim, beta: 0, c: dPooled.base,
      ldc: dim)
    // Pass 2: forward again with the tape, then back-propagate each view's pooled gradient.
    for g in grads { g.zero() }
    parallel(n) { i, thread in
      let access = ParameterAccess(params: params.base, grads: grads[thread].base)
      let tape = tapes[thread]
      viewsCopy[i].withUnsafeBufferPointer { p in
        _ = model.visionForward(access, pixels: p.baseAddress!, tape: tape)
      }
      let dFeatures = tape.work(WorkSlot.featureGrad, rows * dim)
      for r in 0..<rows {
        let row = dFeatures + r * dim
        row.update(repeating: 0, count: dim)
        Kernels.axpy(1 / Float(rows), dPooled.base + i * dim, row, count: dim)
      }
      model.visionBackward(access, dFeatures: dFeatures, tape: tape)
    }
    for t in 1..<threads { Kernels.axpy(1, grads[t].base, grads[0].base, count: grads[0].count) }
    // Clip the global norm over the encoder and the head, then AdamW.
    let trainable = model.layout.slots.filter { model.isTrainable($0.name) }
    var squares = headGrads.squaredNorm()
    for slot in trainable {
      let p = grads[0].base + slot.offset
      for k in 0..<slot.count { squares += Double(p[k]) * Double(p[k]) }
    }
    let norm = squares.squareRoot()
    guard norm.isFinite else {
      throw TrainingError(.nonFinite, "encoder step \(next)", "the gradient norm is \(norm)")
    }
    let factor: Float = norm > 1 ? Float(1 / norm) : 1
    let rate = schedule.rate(step: next)
    for slot in trainable {
      let g = grads[0].base + slot.offset
      for k in 0..<slot.count { g[k] *= factor }
      optimizer.update(
        params: state.params.base + slot.offset, grads: g, m: state.m.base + slot.offset,
        v: state.v.base + slot.offset, count: slot.count, step: next, learningRate: rate,
        decay: model.isDecayed(slot.name))
    }
    for k in 0..<headGrads.count { headGrads.base[k] *= factor }
    optimizer.update(
      params: head.base, grads: headGrads.base, m: headM.base, v: headV.base, count: head.count, step: next,
      learningRate: rate, decay: false)
    state.step = next
    return (loss, Double(correct) / Double(n))
  }

  /// The model's weights with the pre-trained encoder (the other parts as given at the start).
  public var weights: NativeTensorStore { model.mergedWeights(state.params) }
}

/// A float array written by several threads at disjoint offsets.
final class SharedFloats: @unchecked Sendable {
  let base: UnsafeMutablePointer<Float>
  init(_ count: Int) {
    base = .allocate(capacity: max(count, 1))
    base.initialize(repeating: 0, count: max(count, 1))
  }
  deinit { base.deallocate() }
}
