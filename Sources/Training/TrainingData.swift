/// Where a training run's batches come from: a pure function of (seed, step), so a resumed run
/// sees the same batches as an uninterrupted one.
public protocol TrainingData: Sendable {
  /// `images` items (an image or a stack of frames each), each with up to `questions` examples.
  func batch(step: Int, images: Int, questions: Int, seed: UInt64) -> [TrainingItem]
}

extension PVPMixture: TrainingData {}
