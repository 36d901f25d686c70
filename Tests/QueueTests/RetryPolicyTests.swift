import Foundation
import Queue
import Testing

@Suite struct RetryPolicyTests {
  // initial 0.1 s doubling, capped at 1 s; no jitter: the delays are exact.
  @Test(arguments: [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.8), (5, 1.0), (60, 1.0), (5000, 1.0)])
  func delaysGrowExponentiallyUpToTheCap(attempt: Int, expected: Double) {
    let policy = RetryPolicy(initialDelay: 0.1, maxDelay: 1, multiplier: 2, jitter: 0, maxAttempts: nil)
    #expect(abs(policy.delay(after: attempt, unitRandom: 0.7) - expected) < 1e-12)
  }

  // With jitter 0.5 the delay is base * (0.5 + 0.5 * random).
  @Test(arguments: [(0.0, 0.2), (0.5, 0.3), (0.999, 0.3998)])
  func jitterScalesDownByTheRandomFraction(random: Double, expected: Double) {
    let policy = RetryPolicy(initialDelay: 0.4, maxDelay: 10, jitter: 0.5, maxAttempts: 3)
    #expect(abs(policy.delay(after: 1, unitRandom: random) - expected) < 1e-9)
  }

  @Test func attemptsAreBounded() {
    let policy = RetryPolicy(initialDelay: 0.1, maxDelay: 1, maxAttempts: 3)
    #expect(policy.allowsRetry(after: 1) && policy.allowsRetry(after: 2))
    #expect(!policy.allowsRetry(after: 3))
    #expect(RetryPolicy.forever.allowsRetry(after: 1_000_000))
  }

  @Test func generatorDrivenDelaysStayWithinTheJitterBand() {
    let policy = RetryPolicy(initialDelay: 1, maxDelay: 8, jitter: 0.25, maxAttempts: nil)
    var generator = SplitMix64(seed: 42)
    for attempt in 1...10 {
      let base = min(8, pow(2, Double(attempt - 1)))
      let delay = policy.delay(after: attempt, using: &generator)
      #expect(delay >= base * 0.75 && delay <= base)
    }
  }
}
