import Foundation
import Model

extension TrainableVLM {
  /// Token id and position of every row that is not a visual token (visual rows have id -1).
  func rowTokens(_ group: SequenceGroup) -> (tokens: [Int], positions: [Int]) {
    let head = [NativeVocabulary.bos] + NativePrompt.imageOpen
    var tokens = head + [Int](repeating: -1, count: config.visualTokenCount) + NativePrompt.imageClose
    tokens += group.sharedTokens
    var positions = Array(0..<tokens.count)
    for suffix in group.suffixes {
      tokens += suffix
      positions += (0..<suffix.count).map { group.shape.shared + $0 }
    }
    return (tokens, positions)
  }

  /// Forward pass of one image and its questions up to the final hidden states `[rows, Dl]`.
  func lmForward(
    _ p: ParameterAccess, pixels: UnsafePointer<Float>, group: SequenceGroup, tape: ModelTape
  ) -> UnsafeMutablePointer<Float> {
    let dim = config.lmDim
    let shape = group.shape
    let x = tape.work(WorkSlot.residual, shape.rows * dim)
    let (tokens, positions) = rowTokens(group)
    for (row, token) in tokens.enumerated() {
      let xr = x + row * dim
      if token >= 0 {
        xr.update(from: p.p(tokEmbed) + token * dim, count: dim)
      } else {
        xr.update(repeating: 0, count: dim)
      }
      Kernels.axpy(1, p.p(lmPos) + positions[row] * dim, xr, count: dim)
    }
    let features = visionForward(p, pixels: pixels, tape: tape)
    let merged = tape.work(WorkSlot.merged, config.visualTokenCount * 4 * config.visionDim)
    merge(features, merged, reverse: false)
    connector.forward(
      p, merged, rows: config.visualTokenCount, into: x + visualStart * dim, accumulate: true,
      loraHidden: nil)
    for (block, blockTape) in zip(lmBlocks, tape.lm) {
      block.forward(p, x, shape: shape, tape: blockTape)
    }
    return x
  }

  /// Logits `[lossRows, V]` of the scored rows after `lmForward` (final norm and head applied to
  /// those rows only). Keeps what `lossBackward` needs in the tape.
  func scoredLogits(
    _ p: ParameterAccess, hidden x: UnsafePointer<Float>, group: SequenceGroup, tape: ModelTape
  )
    -> UnsafeMutablePointer<Float>
  {
    let dim = config.lmDim
    let count = group.lossRows.count
    let gathered = tape.work(WorkSlot.gathered, count * dim)
    for (i, row) in group.lossRows.enumerated() {
      (gathered + i * dim).update(from: x + row * dim, count: dim)
    }
    let normed = tape.work(WorkSlot.finalNormed, count * dim)
    lmNorm.forward(
      p, gathered, rows: count, into: normed, mean: tape.work(WorkSlot.finalMean, count),
      rstd: tape.work(WorkSlot.finalRstd, count))
    let logits = tape.work(WorkSlot.logits, count * config.vocabularySize)
    head.forward(p, normed, rows: count, into: logits, loraHidden: nil)
    return logits
  }

  /// Summed cross-entropy of the answer tokens of one image's questions; when `lossScale` is
  /// not nil, adds `lossScale * d(sum)/d(params)` to the gradients of the trainable tensors.
  func loss(
    _ p: ParameterAccess, pixels: UnsafePointer<Float>, group: SequenceGroup, tape: ModelTape,
    lossScale: Float?
  ) -> Double {
    let hidden = lmForward(p, pixels: pixels, group: group, tape: tape)
    let logits = scoredLogits(p, hidden: hidden, group: group, tape: tape)
    let vocabulary = config.vocabularySize
    var total = 0.0
    for (i, target) in group.targets.enumerated() {
      let row = logits + i * vocabulary
      var m = -Float.infinity
      for v in 0..<vocabulary { m = max(m, row[v]) }
      var sum = 0.0
      for v in 0..<vocabulary { sum += Foundation.exp(Double(row[v] - m)) }
      total += log(sum) - Double(row[target] - m)
      if lossScale != nil {
        // Softmax minus one-hot, the gradient of -log p[target].
        Kernels.softmax(row, visible: vocabulary, count: vocabulary)
        row[target] -= 1
      }
    }
    if let lossScale {
      for i in 0..<(group.targets.count * vocabulary) { logits[i] *= lossScale }
      backward(p, group: group, dLogits: logits, tape: tape)
    }
    return total
  }

  /// Back-propagates `dLogits` (`[lossRows, V]`) through the head, the LM, the connector and
  /// (when trainable) the vision encoder.
  func backward(
    _ p: ParameterAccess, group: SequenceGroup, dLogits: UnsafeMutablePointer<Float>, tape: ModelTape
  ) {
    let dim = config.lmDim
    let shape = group.shape
    let count = group.lossRows.count
    let normed = tape.work(WorkSlot.finalNormed, count * dim)
    let dNormed = tape.work(WorkSlot.gatheredGrad, count * dim)
    head.backward(
      p, normed, rows: count, dy: dLogits, loraHidden: nil, dx: dNormed,
      scratch: tape.work(WorkSlot.blockLoRA, 1))
    let dx = tape.work(WorkSlot.residualGrad, shape.rows * dim)
    dx.update(repeating: 0, count: shape.rows * dim)
    let dGathered = tape.work(WorkSlot.pooledGrad, count * dim)
    dGathered.update(repeating: 0, count: count * dim)
    lmNorm.backward(
      p, tape.work(WorkSlot.gathered, count * dim), rows: count,
      mean: tape.work(WorkSlot.finalMean, count), rstd: tape.work(WorkSlot.finalRstd, count),
      dy: dNormed, dx: dGathered)
    for (i, row) in group.lossRows.enumerated() {
      Kernels.axpy(1, dGathered + i * dim, dx + row * dim, count: dim)
    }
    for (block, blockTape) in zip(lmBlocks, tape.lm).reversed() {
      block.backward(p, dx: dx, shape: shape, tape: blockTape, work: tape.work)
    }
    let (tokens, positions) = rowTokens(group)
    if parts.contains(.lm) {
      for (row, token) in tokens.enumerated() {
        if token >= 0 { Kernels.axpy(1, dx + row * dim, p.g(tokEmbed) + token * dim, count: dim) }
        Kernels.axpy(1, dx + row * dim, p.g(lmPos) + positions[row] * dim, count: dim)
      }
    }
    let trainVision = parts.contains(.vision)
    guard parts.contains(.connector) || trainVision else { return }
    let mergedWidth = 4 * config.visionDim
    let merged = tape.work(WorkSlot.merged, config.visualTokenCount * mergedWidth)
    let dMerged = trainVision ? tape.work(WorkSlot.mergedGrad, config.visualTokenCount * mergedWidth) : nil
    connector.backward(
      p, merged, rows: config.visualTokenCount, dy: dx + visualStart * dim, loraHidden: nil,
      dx: dMerged, scratch: tape.work(WorkSlot.blockLoRA, 1))
    guard let dMerged else { return }
    let dFeatures = tape.work(WorkSlot.featureGrad, config.patchCount * config.visionDim)
    merge(dFeatures, dMerged, reverse: true)
    visionBackward(p, dFeatures: dFeatures, tape: tape)
  }
}
