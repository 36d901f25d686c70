#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Plans for recently used (source size, target size) pairs, so that resizing many photos of
/// the same few sizes builds the weight tables once. Thread-safe.
final class BicubicPlanCache: @unchecked Sendable {
  static let shared = BicubicPlanCache(capacity: 64)

  struct Key: Hashable {
    var sourceWidth: Int
    var sourceHeight: Int
    var width: Int
    var height: Int
  }

  private let capacity: Int
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  // Guarded by `mutex`.
  private var plans: [Key: BicubicPlan] = [:]

  init(capacity: Int) {
    self.capacity = capacity
    mutex = .allocate(capacity: 1)
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  func plan(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int) -> BicubicPlan {
    let key = Key(sourceWidth: sourceWidth, sourceHeight: sourceHeight, width: width, height: height)
    if let plan = locked({ plans[key] }) {
      return plan
    }
    // Built outside the lock; two threads may both build the same plan, which is harmless.
    let plan = BicubicPlan(sourceWidth: sourceWidth, sourceHeight: sourceHeight, width: width, height: height)
    locked {
      if plans.count >= capacity {
        plans.remove(at: plans.startIndex)
      }
      plans[key] = plan
    }
    return plan
  }

  private func locked<T>(_ body: () -> T) -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return body()
  }
}
