import Testing

@testable import Training

@Suite struct AdamWTests {
  /// The first AdamW step moves each value by the learning rate against its gradient's sign
  /// (bias-corrected m / sqrt(v) = g / |g|), after the decoupled decay `p (1 - lr wd)`.
  @Test func firstStepIsSignTimesRate() {
    let optimizer = AdamW(beta1: 0.9, beta2: 0.95, epsilon: 0, weightDecay: 0.1)
    var params: [Float] = [1, -2, 0.5]
    let grads: [Float] = [0.3, -4, 1e-3]
    var m: [Float] = [0, 0, 0]
    var v: [Float] = [0, 0, 0]
    optimizer.update(
      params: &params, grads: grads, m: &m, v: &v, count: 3, step: 1, learningRate: 0.01, decay: true)
    let expected: [Float] = [1 * 0.999 - 0.01, -2 * 0.999 + 0.01, 0.5 * 0.999 - 0.01]
    for (a, b) in zip(params, expected) { #expect(abs(a - b) < 1e-6) }
  }

  @Test func cosineScheduleWarmsUpThenDecays() {
    let schedule = CosineSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110, minRatio: 0.1)
    #expect(abs(schedule.rate(step: 1) - 1e-4) < 1e-9)
    #expect(abs(schedule.rate(step: 10) - 1e-3) < 1e-9)
    // Half-way through the decay: 0.1 + 0.9 * 0.5 of the peak.
    #expect(abs(schedule.rate(step: 60) - 5.5e-4) < 1e-9)
    #expect(abs(schedule.rate(step: 110) - 1e-4) < 1e-9)
    #expect(abs(schedule.rate(step: 500) - 1e-4) < 1e-9)
  }

  @Test func partsParseAndPrint() {
    #expect(TrainableParts(parsing: "vision,lm") == [.vision, .lm])
    #expect(TrainableParts(parsing: "none") == [])
    #expect(TrainableParts(parsing: "encoder") == nil)
    #expect(TrainableParts.all.description == "vision,connector,lm")
  }
}
