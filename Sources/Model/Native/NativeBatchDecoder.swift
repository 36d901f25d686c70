/// One batched decoding call: sequences that share an image prefix, each with its own suffix
/// key/value cache. Every `extend` feeds each listed sequence some tokens; all rows of all
/// sequences go through each weight matrix in one sgemm, attention over the shared prefix is one
/// sgemm per head for the whole batch, and attention over each sequence's own suffix is a small
/// sgemm per sequence and head (OpenBLAS's small-matrix kernels beat hand-written loops there,
/// since this Swift code is compiled for baseline x86-64). Suffix caches are laid out `[sequence][head][position][headDim]`, so the keys one
/// query scans are contiguous.
final class NativeBatchDecoder {
  let lm: NativeLanguageModel
  let prefix: NativeVLM.ImagePrefix
  let profile: NativeProfile?
  /// Tokens currently cached per sequence (after the prefix).
  private(set) var lengths: [Int]
  private let capacities: [Int]
  /// Per sequence, its coordinate (start counted in the tokens it is fed), if any.
  private let coordinates: [NativeCoordinate?]
  /// Where each sequence's block (`heads * capacity * headDim` floats) starts in the per-layer
  /// suffix caches.
  private let offsets: [Int]
  private let keys: [NativeBuffer]
  private let values: [NativeBuffer]
  private let scratch = NativeScratch()
  private enum Slot: Int { case x, normed, hidden, projected, prefixScores, suffixScores, out, last }

  /// `capacities[s]` is the most tokens sequence `s` will ever be fed; `coordinates[s]` its
  /// coordinate embedding's start in those tokens.
  init(
    lm: NativeLanguageModel, prefix: NativeVLM.ImagePrefix, capacities: [Int],
    coordinates: [NativeCoordinate?], profile: NativeProfile?
  ) {
    precondition(coordinates.count == capacities.count)
    self.lm = lm
    self.prefix = prefix
    self.profile = profile
    self.capacities = capacities
    self.coordinates = coordinates
    lengths = [Int](repeating: 0, count: capacities.count)
    var offsets: [Int] = []
    var total = 0
    for capacity in capacities {
      offsets.append(total)
      total += capacity * lm.dim
    }
    self.offsets = offsets
    // Every cached row is written before attention reads it.
    keys = lm.blocks.map { _ in NativeBuffer(total, zeroed: false) }
    values = lm.blocks.map { _ in NativeBuffer(total, zeroed: false) }
  }

  /// Feeds `tokens[i]` (non-empty) to sequence `sequences[i]` and returns the next-token logits
  /// `[sequences.count, vocabularySize]` after each sequence's last fed token.
  func extend(_ sequences: [Int], _ tokens: [[Int]]) -> NativeBuffer {
    let dim = lm.dim
    var rowStarts: [Int] = []
    var flatTokens: [Int] = []
    var positions: [Int] = []
    for (i, s) in sequences.enumerated() {
      precondition(!tokens[i].isEmpty && lengths[s] + tokens[i].count <= capacities[s])
      rowStarts.append(flatTokens.count)
      flatTokens += tokens[i]
      positions += (0..<tokens[i].count).map { prefix.length + lengths[s] + $0 }
    }
    let rows = flatTokens.count
    let x = scratch(Slot.x.rawValue, rows * dim)
    lm.embed(flatTokens, positions: positions, into: x)
    for (i, s) in sequences.enumerated() {
      lm.addCoordinate(coordinates[s], first: lengths[s], rows: tokens[i].count, to: x + rowStarts[i] * dim)
    }
    let normed = scratch(Slot.normed.rawValue, rows * dim)
    let hidden = scratch(Slot.hidden.rawValue, rows * dim * lm.config.mlpRatio)
    for (layer, block) in lm.blocks.enumerated() {
      block.norm1.forward(x, rows: rows, into: normed)
      attention(
        block.attn, layer: layer, normed, rows: rows, sequences: sequences,
        counts: tokens.map(\.count), rowStarts: rowStarts, addingTo: x)
      block.norm2.forward(x, rows: rows, into: normed)
      block.mlp.forward(normed, rows: rows, addingTo: x, hidden: hidden, profile: profile)
    }
    for (i, s) in sequences.enumerated() { lengths[s] += tokens[i].count }
    let last = scratch(Slot.last.rawValue, sequences.count * dim)
    for i in sequences.indices {
      (last + i * dim).update(from: x + (rowStarts[i] + tokens[i].count - 1) * dim, count: dim)
    }
    return lm.logits(last, rows: sequences.count, profile: profile)
  }

  /// The cached keys and values of `sequence` in `layer`, as `[length, dim]` rows (the layout
  /// of `ImagePrefix`).
  func cachedRows(layer: Int, sequence s: Int) -> (keys: [Float], values: [Float]) {
    let dim = lm.dim
    let heads = lm.config.lmHeads
    let headDim = dim / heads
    var k = [Float](repeating: 0, count: lengths[s] * dim)
    var v = k
    for t in 0..<lengths[s] {
      for h in 0..<heads {
        let source = offsets[s] + (h * capacities[s] + t) * headDim
        for i in 0..<headDim {
          k[t * dim + h * headDim + i] = keys[layer].base[source + i]
          v[t * dim + h * headDim + i] = values[layer].base[source + i]
        }
      }
    }
    return (k, v)
  }

  private func attention(
    _ attn: NativeAttention, layer: Int, _ input: UnsafePointer<Float>, rows: Int, sequences: [Int],
    counts: [Int], rowStarts: [Int], addingTo residual: UnsafeMutablePointer<Float>
  ) {
    let dim = lm.dim
    let width = 3 * dim
    let headDim = attn.headDim
    let scale = attn.scale
    let projected = scratch(Slot.projected.rawValue, rows * width)
    attn.qkv.forward(input, rows: rows, into: projected, profile: profile)
    let cacheK = keys[layer].base
    let cacheV = values[layer].base
    // Append the new keys and values to each sequence's suffix cache.
    var scoreOffsets: [Int] = []
    var scoreTotal = 0
    for (i, s) in sequences.enumerated() {
      for j in 0..<counts[i] {
        let source = projected + (rowStarts[i] + j) * width
        for h in 0..<attn.heads {
          let target = offsets[s] + (h * capacities[s] + lengths[s] + j) * headDim
          (cacheK + target).update(from: source + dim + h * headDim, count: headDim)
          (cacheV + target).update(from: source + 2 * dim + h * headDim, count: headDim)
        }
      }
      scoreOffsets.append(scoreTotal)
      scoreTotal += counts[i] * (lengths[s] + counts[i])
    }
    let prefixLength = prefix.length
    // Every element of these is written before it is read (`out` by the prefix sgemm, whose
    // k = prefixLength > 0 because the prefix holds at least BOS).
    let prefixScores = scratch(Slot.prefixScores.rawValue, rows * prefixLength)
    let suffixScores = scratch(Slot.suffixScores.rawValue, scoreTotal)
    let out = scratch(Slot.out.rawValue, rows * dim)
    prefix.keys[layer].withUnsafeBufferPointer { prefixKBuffer in
      prefix.values[layer].withUnsafeBufferPointer { prefixVBuffer in
        let prefixK = prefixKBuffer.baseAddress!
        let prefixV = prefixVBuffer.baseAddress!
        for h in 0..<attn.heads {
          let column = h * headDim
          let q = projected + column
          NativeBLAS.gemm(
            transB: true, m: rows, n: prefixLength, k: headDim, alpha: scale, a: q, lda: width,
            b: prefixK + column, ldb: dim, beta: 0, c: prefixScores, ldc: prefixLength,
            profile: profile)
          for (i, s) in sequences.enumerated() {
            let visible = lengths[s] + counts[i]
            let scores = suffixScores + scoreOffsets[i]
            let qRows = q + rowStarts[i] * width
            let k = cacheK + offsets[s] + h * capacities[s] * headDim
            NativeBLAS.gemm(
              transB: true, m: counts[i], n: visible, k: headDim, alpha: scale, a: qRows,
              lda: width, b: k, ldb: headDim, beta: 0, c: scores, ldc: visible, profile: profile)
            // Joint softmax over the prefix scores and the causally visible suffix scores.
            for j in 0..<counts[i] {
              let p = prefixScores + (rowStarts[i] + j) * prefixLength
              let sRow = scores + j * visible
              let seen = lengths[s] + j + 1
              let shift = max(
                NativeKernels.maximum(p, count: prefixLength), NativeKernels.maximum(sRow, count: seen))
              let total =
                NativeKernels.expShifted(p, count: prefixLength, shift: shift)
                + NativeKernels.expShifted(sRow, count: seen, shift: shift)
              NativeKernels.scale(p, count: prefixLength, by: 1 / total)
              NativeKernels.scale(sRow, count: seen, by: 1 / total)
              (sRow + seen).update(repeating: 0, count: visible - seen)
            }
          }
          NativeBLAS.gemm(
            m: rows, n: headDim, k: prefixLength, a: prefixScores, lda: prefixLength,
            b: prefixV + column, ldb: dim, beta: 0, c: out + column, ldc: dim,
            profile: profile)
          for (i, s) in sequences.enumerated() {
            let visible = lengths[s] + counts[i]
            let scores = suffixScores + scoreOffsets[i]
            let v = cacheV + offsets[s] + h * capacities[s] * headDim
            let o = out + rowStarts[i] * dim + column
            NativeBLAS.gemm(
              m: counts[i], n: headDim, k: visible, a: scores, lda: visible, b: v, ldb: headDim,
              beta: 1, c: o, ldc: dim, profile: profile)
          }
        }
      }
    }
    attn.proj.forward(out, rows: rows, into: residual, accumulate: true, profile: profile)
  }
}
