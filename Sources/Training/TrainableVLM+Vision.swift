extension TrainableVLM {
  /// The vision encoder on one image (`3 x S x S` normalised, channel-major): returns its
  /// features `[patchCount, visionDim]` (valid until the tape's next pass).
  func visionForward(_ p: ParameterAccess, pixels: UnsafePointer<Float>, tape: ModelTape)
    -> UnsafeMutablePointer<Float>
  {
    let rows = config.patchCount
    let dim = config.visionDim
    let patches = tape.visionWork(0, rows * config.patchInputSize)
    patchify(pixels, into: patches)
    let x = tape.visionWork(1, rows * dim)
    patchEmbed.forward(p, patches, rows: rows, into: x, loraHidden: nil)
    Kernels.axpy(1, p.p(visionPos), x, count: rows * dim)
    let shape = AttentionShape(shared: rows, causal: false)
    for (block, blockTape) in zip(visionBlocks, tape.vision) {
      block.forward(p, x, shape: shape, tape: blockTape)
    }
    let out = tape.visionWork(2, rows * dim)
    visionNorm.forward(
      p, x, rows: rows, into: out, mean: tape.visionWork(3, rows), rstd: tape.visionWork(4, rows))
    return out
  }

  /// Back-propagates `dFeatures` (`[patchCount, visionDim]`, clobbered) through the encoder of
  /// the tape's last `visionForward`, adding parameter gradients.
  func visionBackward(_ p: ParameterAccess, dFeatures: UnsafeMutablePointer<Float>, tape: ModelTape) {
    let rows = config.patchCount
    let dim = config.visionDim
    let x = tape.visionWork(1, rows * dim)
    let dx = tape.visionWork(5, rows * dim)
    dx.update(repeating: 0, count: rows * dim)
    visionNorm.backward(
      p, x, rows: rows, mean: tape.visionWork(3, rows), rstd: tape.visionWork(4, rows), dy: dFeatures,
      dx: dx)
    let shape = AttentionShape(shared: rows, causal: false)
    for (block, blockTape) in zip(visionBlocks, tape.vision).reversed() {
      block.backward(p, dx: dx, shape: shape, tape: blockTape, work: tape.work)
    }
    if parts.contains(.vision) { Kernels.axpy(1, dx, p.g(visionPos), count: rows * dim) }
    let patches = tape.visionWork(0, rows * config.patchInputSize)
    patchEmbed.backward(
      p, patches, rows: rows, dy: dx, loraHidden: nil, dx: nil, scratch: tape.work(WorkSlot.blockLoRA, 1))
  }

  /// Patches in row-major grid order, each flattened channel, row, column (as `NativeVLM`).
  func patchify(_ pixels: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
    let size = config.imageSize
    let ps = config.patchSize
    let grid = config.gridSize
    var o = out
    for gy in 0..<grid {
      for gx in 0..<grid {
        for c in 0..<3 {
          for y in 0..<ps {
            o.update(from: pixels + c * size * size + (gy * ps + y) * size + gx * ps, count: ps)
            o += ps
          }
        }
      }
    }
  }

  /// `[patchCount, Dv]` → `[visualTokens, 4 Dv]`: each 2x2 group of patches, concatenated
  /// top-left, top-right, bottom-left, bottom-right. `reverse` scatters gradients back instead.
  func merge(
    _ features: UnsafeMutablePointer<Float>, _ merged: UnsafeMutablePointer<Float>, reverse: Bool
  ) {
    let dim = config.visionDim
    let grid = config.gridSize
    let half = grid / 2
    for my in 0..<half {
      for mx in 0..<half {
        let token = merged + (my * half + mx) * 4 * dim
        for (slot, (dy, dx)) in [(0, 0), (0, 1), (1, 0), (1, 1)].enumerated() {
          let patch = features + ((2 * my + dy) * grid + 2 * mx + dx) * dim
          if reverse {
            patch.update(from: token + slot * dim, count: dim)
          } else {
            (token + slot * dim).update(from: patch, count: dim)
          }
        }
      }
    }
  }
}
