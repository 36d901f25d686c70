/// One batched decoding call: sequences that share an image prefix, each with its own suffix
/// key/value cache. Every `extend` feeds each listed sequence some tokens; all rows of all
/// sequences go through each weight matrix in one sgemm, attention over the shared prefix is one
/// sgemm per head for the whole batch, and attention over each sequence's own suffix is done per
/// sequence.
final class NativeBatchDecoder {
  let lm: NativeLanguageModel
  let prefix: NativeVLM.ImagePrefix
  let profile: NativeProfile?
  /// Tokens currently cached per sequence (after the prefix).
  private(set) var lengths: [Int]
  private let capacities: [Int]
  /// First row of each sequence in the per-layer suffix caches.
  private let offsets: [Int]
  private let keys: [NativeBuffer]
  private let values: [NativeBuffer]

  /// `capacities[s]` is the most tokens sequence `s` will ever be fed.
  init(lm: NativeLanguageModel, prefix: NativeVLM.ImagePrefix, capacities: [Int], profile: NativeProfile?) {
    self.lm = lm
    self.prefix = prefix
    self.profile = profile
    self.capacities = capacities
    lengths = [Int](repeating: 0, count: capacities.count)
    var offsets: [Int] = []
    var total = 0
    for capacity in capacities {
      offsets.append(total)
      total += capacity
    }
    self.offsets = offsets
    keys = lm.blocks.map { _ in NativeBuffer(total * lm.dim) }
    values = lm.blocks.map { _ in NativeBuffer(total * lm.dim) }
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
    let x = NativeBuffer(rows * dim)
    lm.embed(flatTokens, positions: positions, into: x.base)
    let normed = NativeBuffer(rows * dim)
    for (layer, block) in lm.blocks.enumerated() {
      block.norm1.forward(x.base, rows: rows, into: normed.base)
      attention(
        block.attn, layer: layer, normed.base, rows: rows, sequences: sequences,
        counts: tokens.map(\.count), rowStarts: rowStarts, addingTo: x.base)
      block.norm2.forward(x.base, rows: rows, into: normed.base)
      block.mlp.forward(normed.base, rows: rows, addingTo: x.base, profile: profile)
    }
    for (i, s) in sequences.enumerated() { lengths[s] += tokens[i].count }
    let last = NativeBuffer(sequences.count * dim)
    for i in sequences.indices {
      (last.base + i * dim).update(from: x.base + (rowStarts[i] + tokens[i].count - 1) * dim, count: dim)
    }
    return lm.logits(last.base, rows: sequences.count, profile: profile)
  }

  private func attention(
    _ attn: NativeAttention, layer: Int, _ input: UnsafePointer<Float>, rows: Int, sequences: [Int],
    counts: [Int], rowStarts: [Int], addingTo residual: UnsafeMutablePointer<Float>
  ) {
    let dim = lm.dim
    let width = 3 * dim
    let headDim = attn.headDim
    let scale = attn.scale
    let projected = NativeBuffer(rows * width)
    attn.qkv.forward(input, rows: rows, into: projected.base, profile: profile)
    let cacheK = keys[layer].base
    let cacheV = values[layer].base
    // Append the new keys and values to each sequence's suffix cache.
    var scoreOffsets: [Int] = []
    var scoreTotal = 0
    for (i, s) in sequences.enumerated() {
      for j in 0..<counts[i] {
        let source = projected.base + (rowStarts[i] + j) * width
        let target = (offsets[s] + lengths[s] + j) * dim
        (cacheK + target).update(from: source + dim, count: dim)
        (cacheV + target).update(from: source + 2 * dim, count: dim)
      }
      scoreOffsets.append(scoreTotal)
      scoreTotal += counts[i] * (lengths[s] + counts[i])
    }
    let prefixLength = prefix.length
    let prefixScores = NativeBuffer(rows * prefixLength)
    let suffixScores = NativeBuffer(scoreTotal)
    let out = NativeBuffer(rows * dim)
    prefix.keys[layer].withUnsafeBufferPointer { prefixKBuffer in
      prefix.values[layer].withUnsafeBufferPointer { prefixVBuffer in
        let prefixK = prefixKBuffer.baseAddress!
        let prefixV = prefixVBuffer.baseAddress!
        for h in 0..<attn.heads {
          let column = h * headDim
          let q = projected.base + column
          NativeBLAS.gemm(
            transB: true, m: rows, n: prefixLength, k: headDim, alpha: scale, a: q, lda: width,
            b: prefixK + column, ldb: dim, beta: 0, c: prefixScores.base, ldc: prefixLength,
            profile: profile)
          for (i, s) in sequences.enumerated() {
            let visible = lengths[s] + counts[i]
            let scores = suffixScores.base + scoreOffsets[i]
            let qRows = q + rowStarts[i] * width
            let k = cacheK + offsets[s] * dim + column
            if counts[i] == 1 {
              for t in 0..<visible {
                scores[t] = scale * NativeKernels.dot(qRows, k + t * dim, count: headDim)
              }
            } else {
              NativeBLAS.gemm(
                transB: true, m: counts[i], n: visible, k: headDim, alpha: scale, a: qRows,
                lda: width, b: k, ldb: dim, beta: 0, c: scores, ldc: visible, profile: profile)
            }
            // Joint softmax over the prefix scores and the causally visible suffix scores.
            for j in 0..<counts[i] {
              let p = prefixScores.base + (rowStarts[i] + j) * prefixLength
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
            m: rows, n: headDim, k: prefixLength, a: prefixScores.base, lda: prefixLength,
            b: prefixV + column, ldb: dim, beta: 0, c: out.base + column, ldc: dim,
            profile: profile)
          for (i, s) in sequences.enumerated() {
            let visible = lengths[s] + counts[i]
            let scores = suffixScores.base + scoreOffsets[i]
            let v = cacheV + offsets[s] * dim + column
            let o = out.base + rowStarts[i] * dim + column
            if counts[i] == 1 {
              for t in 0..<visible { NativeKernels.axpy(scores[t], v + t * dim, o, count: headDim) }
            } else {
              NativeBLAS.gemm(
                m: counts[i], n: headDim, k: visible, a: scores, lda: visible, b: v, ldb: dim,
                beta: 1, c: o, ldc: dim, profile: profile)
            }
          }
        }
      }
    }
    attn.proj.forward(out.base, rows: rows, into: residual, accumulate: true, profile: profile)
  }
}
