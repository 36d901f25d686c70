/// Everything one thread keeps between a forward and a backward pass: one tape per block and
/// scratch for the rest. Reused across passes (buffers grow once, then stay).
public final class ModelTape: @unchecked Sendable {
  let vision: [BlockTape]
  let lm: [BlockTape]
  let work = Workspace()
  /// Vision features before the final norm and the norm's statistics (for its backward pass).
  let visionWork = Workspace()

  public init(visionLayers: Int, lmLayers: Int) {
    vision = (0..<visionLayers).map { _ in BlockTape() }
    lm = (0..<lmLayers).map { _ in BlockTape() }
  }
}
