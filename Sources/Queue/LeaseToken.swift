/// The secret a worker process passes with every queue operation. The claim stores its SHA-256
/// with the caller's database login, and every fenced operation must present both, so neither
/// another login nor another process of the same login can heartbeat, complete, fail or release
/// a shard it did not claim, whatever owner name it passes. It never leaves the process except
/// in the queue functions' arguments (which the server does not log by default).
public enum LeaseToken {
  /// This process's token, made once.
  public static let process = random()

  /// 128 random bits as 32 hex digits.
  public static func random() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<2).map { _ in
      let value = generator.next() as UInt64
      let hex = String(value, radix: 16)
      return String(repeating: "0", count: 16 - hex.count) + hex
    }.joined()
  }
}
