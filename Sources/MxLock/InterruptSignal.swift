/// Wakes a waiting task when something happens elsewhere — an interrupt, from a handler that
/// must not wait. Signals are counted, so one that arrives before the wait starts is not lost.
/// One task waits at a time.
public final class InterruptSignal: Sendable {
  private struct State {
    var pending = 0
    // Unchecked: a checked continuation is an allocation per wait, and this is on every
    // interrupt's path. Each is resumed exactly once: by `signal` or by cancellation, never both
    // (whoever takes it out of the state under the lock resumes it).
    var waiter: UnsafeContinuation<Void, Never>?
  }

  private let state = Lock(State())

  public init() {}

  /// Called from the interrupt entry point.
  public func signal() {
    let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
      if let waiter = state.waiter {
        state.waiter = nil
        return waiter
      }
      state.pending += 1
      return nil
    }
    waiter?.resume()
  }

  /// Forgets interrupts that arrived before now (their news is read from the hardware anyway).
  public func drain() {
    state.withLock { $0.pending = 0 }
  }

  /// Returns at the next interrupt (at once if one is pending), or when the task is cancelled.
  public func next() async {
    await withTaskCancellationHandler {
      await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
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
      let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
        defer { state.waiter = nil }
        return state.waiter
      }
      waiter?.resume()
    }
  }
}
