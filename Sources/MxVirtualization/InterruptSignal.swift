import MxLock

/// Wakes a waiting task when a mailbox interrupt arrives. Signals are counted, so an interrupt
/// that arrives before the wait starts is not lost.
final class InterruptSignal: Sendable {
  private struct State {
    var pending = 0
    var waiter: CheckedContinuation<Void, Never>?
  }

  private let state = Lock(State())

  /// Called from the interrupt entry point.
  func signal() {
    let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
      if let waiter = state.waiter {
        state.waiter = nil
        return waiter
      }
      state.pending += 1
      return nil
    }
    waiter?.resume()
  }

  /// Forgets interrupts that arrived before now (their news is read from the registers anyway).
  func drain() {
    state.withLock { $0.pending = 0 }
  }

  /// Returns at the next interrupt (at once if one is pending), or when the task is cancelled.
  func next() async {
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let resumeNow = state.withLock { state -> Bool in
          if state.pending > 0 || Task.isCancelled {
            state.pending = max(0, state.pending - 1)
            return true
          }
          state.waiter = continuation
          return false
        }
        if resumeNow { continuation.resume() }
      }
    } onCancel: {
      let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
        defer { state.waiter = nil }
        return state.waiter
      }
      waiter?.resume()
    }
  }
}
