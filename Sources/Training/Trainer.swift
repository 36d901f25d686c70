import Dispatch
import Foundation
import Model

/// One image (or a stack of frames) and its questions, ready for a step: normalised pixels
/// (the frames one after another, oldest first) and examples.
public struct TrainingItem: Sendable {
  public var pixels: [Float]
  public var frames: Int
  public var examples: [PromptExample]
  public init(pixels: [Float], frames: Int = 1, examples: [PromptExample]) {
    self.pixels = pixels
    self.frames = frames
    self.examples = examples
  }
}

/// What one step did.
public struct StepReport: Sendable, Equatable {
  public var step: Int
  /// Mean cross-entropy per answer token.
  public var loss: Double
  public var answerTokens: Int
  public var gradientNorm: Double
  public var learningRate: Float
}

/// Runs optimisation steps on a `TrainingState`: forward and backward passes of a batch split
/// across threads (each with its own gradients, summed in a fixed order so a run is
/// reproducible), global-norm clipping, AdamW with the schedule's rate.
public final class Trainer {
  public let state: TrainingState
  public let optimizer: AdamW
  public let schedule: CosineSchedule
  public let clipNorm: Float
  public let threads: Int
  private let grads: [TensorBuffer]
  private let tapes: [ModelTape]
  private let trainable: [TensorLayout.Slot]
  private let decayed: Set<String>

  public init(
    state: TrainingState, optimizer: AdamW, schedule: CosineSchedule, clipNorm: Float = 1, threads: Int = 1
  ) {
    self.state = state
    self.optimizer = optimizer
    self.schedule = schedule
    self.clipNorm = clipNorm
    self.threads = max(1, threads)
    let model = state.model
    grads = (0..<self.threads).map { _ in TensorBuffer(model.layout) }
    tapes = (0..<self.threads).map { _ in
      ModelTape(visionLayers: model.config.visionLayers, lmLayers: model.config.lmLayers)
    }
    trainable = model.layout.slots.filter { model.isTrainable($0.name) }
    decayed = Set(model.layout.slots.map(\.name).filter { model.isDecayed($0) })
  }

  /// The summed gradient of the last step (thread 0's buffer after the reduction).
  public var gradients: TensorBuffer { grads[0] }

  /// Mean answer-token loss of `items` and its gradient in `gradients`, without updating.
  @discardableResult
  public func computeGradients(_ items: [TrainingItem]) throws(TrainingError) -> (loss: Double, tokens: Int) {
    let model = state.model
    var built: [SequenceGroup] = []
    for item in items {
      guard item.frames > 0, item.pixels.count == item.frames * model.imageValues else {
        throw TrainingError(
          .badData, "step \(state.step + 1)",
          "\(item.frames) images have \(item.pixels.count) values, expected \(model.imageValues) each")
      }
      built.append(try SequenceGroup(item.examples, frames: item.frames, config: model.config))
    }
    let tokens = built.reduce(0) { $0 + $1.answerTokens }
    guard tokens > 0 else { throw TrainingError(.badData, "step \(state.step + 1)", "no answer tokens") }
    let scale = 1 / Float(tokens)
    let losses = LossSlots(count: threads)
    let params = state.params
    let gradBuffers = grads
    let groups = built
    let tapes = tapes
    let threads = threads
    let work: @Sendable (Int) -> Void = { thread in
      let access = ParameterAccess(params: params.base, grads: gradBuffers[thread].base)
      gradBuffers[thread].zero()
      var total = 0.0
      var index = thread
      while index < items.count {
        items[index].pixels.withUnsafeBufferPointer { pixels in
          total += model.loss(
            access, pixels: pixels.baseAddress!, group: groups[index], tape: tapes[thread], lossScale: scale)
        }
        index += threads
      }
      losses.set(thread, total)
    }
    if threads == 1 {
      work(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: threads) { work($0) }
    }
    for t in 1..<threads {
      Kernels.axpy(1, grads[t].base, grads[0].base, count: grads[0].count)
    }
    return (losses.sum / Double(tokens), tokens)
  }

  /// One optimisation step over `items`. A NaN or infinite loss or gradient throws before any
  /// parameter changes, naming the step.
  @discardableResult
  public func step(_ items: [TrainingItem]) throws(TrainingError) -> StepReport {
    let next = state.step + 1
    let (loss, tokens) = try computeGradients(items)
    guard loss.isFinite else {
      throw TrainingError(.nonFinite, "step \(next)", "the loss is \(loss)")
    }
    let g = grads[0]
    var squares = 0.0
    for slot in trainable {
      let p = g.base + slot.offset
      for i in 0..<slot.count { squares += Double(p[i]) * Double(p[i]) }
    }
    let norm = squares.squareRoot()
    guard norm.isFinite else {
      throw TrainingError(.nonFinite, "step \(next)", "the gradient norm is \(norm)")
    }
    let factor: Float = norm > Double(clipNorm) ? Float(Double(clipNorm) / norm) : 1
    let rate = schedule.rate(step: next)
    for slot in trainable {
      let grad = g.base + slot.offset
      if factor != 1 { for i in 0..<slot.count { grad[i] *= factor } }
      optimizer.update(
        params: state.params.base + slot.offset, grads: grad, m: state.m.base + slot.offset,
        v: state.v.base + slot.offset, count: slot.count, step: next, learningRate: rate,
        decay: decayed.contains(slot.name))
    }
    state.step = next
    return StepReport(step: next, loss: loss, answerTokens: tokens, gradientNorm: norm, learningRate: rate)
  }
}

/// Per-thread loss sums, written by one thread each.
final class LossSlots: @unchecked Sendable {
  private let values: UnsafeMutablePointer<Double>
  private let count: Int
  init(count: Int) {
    self.count = count
    values = .allocate(capacity: count)
    values.initialize(repeating: 0, count: count)
  }
  deinit { values.deallocate() }
  func set(_ index: Int, _ value: Double) { values[index] = value }
  var sum: Double { (0..<count).reduce(0) { $0 + values[$1] } }
}
