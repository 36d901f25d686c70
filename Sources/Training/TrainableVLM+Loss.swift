import Foundation
import Model

extension TrainableVLM {
  /// Token id and position of every row that is not a visual token (visual rows have id -1).
  /// The prefix is `NativeVLM.encodeImages`' (for one frame, exactly the single-image prefix).
  func rowTokens(_ group: SequenceGroup) -> (tokens: [Int], positions: [Int]) {
    var tokens = [NativeVocabulary.bos] + NativePrompt.instOpen
    for _ in 0..<group.frames {
      tokens +=
        NativePrompt.frameOpen + [Int](repeating: -1, count: config.visualTokenCount)
        + NativePrompt.frameClose
    }
    tokens += NativePrompt.frameTail + group.sharedTokens
    var positions = Array(0..<tokens.count)
    for suffix in group.suffixes {
      tokens += suffix
      positions += (0..<suffix.count).map { group.shape.shared + $0 }
    }
    return (tokens, positions)
  }

  /// Values of one image in `pixels` (the frames lie one after another).
  var imageValues: Int { 3 * config.imageSize * config.imageSize }

  /// Forward pass of one image (or `group.frames` frames) and its questions up to the final
  /// hidden states `[rows, Dl]`. Keeps every frame's connector input for the backward pass; the
  /// vision tape holds the last frame's pass only.
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
    let mergedWidth = config.visualTokenCount * 4 * config.visionDim
    let merged = tape.work(WorkSlot.merged, group.frames * mergedWidth)
    for frame in 0..<group.frames {
      let features = visionForward(p, pixels: pixels + frame * imageValues, tape: tape)
      merge(features, merged + frame * mergedWidth, reverse: false)
      connector.forward(
        p, merged + frame * mergedWidth, rows: config.visualTokenCount,
        into: x + visualStart(frame: frame) * dim, accumulate: true, loraHidden: nil)
    }
    addressing(group: group) { table, row, tableRow in
      Kernels.axpy(1, p.p(table) + tableRow * dim, x + row * dim, count: dim)
    }
    for (block, blockTape) in zip(lmBlocks, tape.lm) {
      block.forward(p, x, shape: shape, tape: blockTape)
    }
    return x
  }

  /// Calls `visit(table, row, tableRow)` for every addressing-table row added to an input row:
  /// the visual row/column embeddings on every frame's visual tokens, and each example's
  /// coordinate embeddings on its suffix rows from the coordinate's `]` on (the decoder's
  /// `addVisualPositions` and `addCoordinate`).
  func addressing(group: SequenceGroup, visit: (Int, Int, Int) -> Void) {
    if let visualRowEmbed, let visualColEmbed {
      let side = config.visualGridSize
      for frame in 0..<group.frames {
        let first = visualStart(frame: frame)
        for token in 0..<config.visualTokenCount {
          visit(visualRowEmbed, first + token, token / side)
          visit(visualColEmbed, first + token, token % side)
        }
      }
    }
    guard let coordRowEmbed, let coordColEmbed else { return }
    for (j, coordinate) in group.coordinates.enumerated() {
      guard let coordinate else { continue }
      let first = group.shape.shared + j * group.suffixLength
      for t in max(0, coordinate.start)..<group.suffixLength {
        visit(coordRowEmbed, first + t, coordinate.row)
        visit(coordColEmbed, first + t, coordinate.col)
      }
    }
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
      backward(p, pixels: pixels, group: group, dLogits: logits, tape: tape)
    }
    return total
  }

  /// Back-propagates `dLogits` (`[lossRows, V]`) through the head, the LM, the connector and
  /// (when trainable) the vision encoder. `pixels` are the forward pass's: a trainable encoder
  /// runs again on every frame but the last (the tape keeps one vision pass).
  func backward(
    _ p: ParameterAccess, pixels: UnsafePointer<Float>, group: SequenceGroup,
    dLogits: UnsafeMutablePointer<Float>, tape: ModelTape
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
      addressing(group: group) { table, row, tableRow in
        Kernels.axpy(1, dx + row * dim, p.g(table) + tableRow * dim, count: dim)
      }
    }
    let trainVision = parts.contains(.vision)
    guard parts.contains(.connector) || trainVision else { return }
    let mergedWidth = config.visualTokenCount * 4 * config.visionDim
    let merged = tape.work(WorkSlot.merged, group.frames * mergedWidth)
    let dMerged = trainVision ? tape.work(WorkSlot.mergedGrad, mergedWidth) : nil
    for frame in (0..<group.frames).reversed() {
      connector.backward(
        p, merged + frame * mergedWidth, rows: config.visualTokenCount,
        dy: dx + visualStart(frame: frame) * dim, loraHidden: nil, dx: dMerged,
        scratch: tape.work(WorkSlot.blockLoRA, 1))
      guard let dMerged else { continue }
      if frame != group.frames - 1 {
        _ = visionForward(p, pixels: pixels + frame * imageValues, tape: tape)
      }
      let dFeatures = tape.work(WorkSlot.featureGrad, config.patchCount * config.visionDim)
      merge(dFeatures, dMerged, reverse: true)
      visionBackward(p, dFeatures: dFeatures, tape: tape)
    }
  }
}
