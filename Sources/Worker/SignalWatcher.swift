import Dispatch
import Foundation

/// Turns SIGTERM/SIGINT into a call, via Dispatch signal sources (no work in a signal handler).
final class SignalWatcher {
  private var sources: [any DispatchSourceSignal] = []

  init(signals: [Int32], onSignal: @escaping @Sendable () -> Void) {
    // Whoever started us may have left these signals blocked (a blocked mask is inherited).
    var mask = sigset_t()
    sigemptyset(&mask)
    for number in signals { sigaddset(&mask, number) }
    sigprocmask(SIG_UNBLOCK, &mask, nil)
    for number in signals {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler(handler: onSignal)
      source.resume()
      sources.append(source)
    }
  }

  deinit {
    for source in sources { source.cancel() }
  }
}
