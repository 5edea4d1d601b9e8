import Foundation
import MxLock
import Synchronization

/// Runs a simulation's host in real time: a thread of its own fires each scheduled host action
/// when the wall clock reaches it, so a guest using `ContinuousClock` sees the host answer with
/// the behaviour's real delays. For latency measurements; tests use virtual time.
public final class RealTimeHost: Sendable {
  private let running = Atomic<Bool>(true)
  private let finished = Lock<Bool>(false)

  /// Starts the host's thread; `host` switches to wall-clock time from now on.
  public init(driving host: GIMHost) {
    host.switchToRealTime()
    let thread = Thread { [self] in
      // Spinning (with a yield) keeps the host's reaction time at a few microseconds.
      while self.running.load(ordering: .relaxed) {
        if case .reachedDeadline = host.runDueEvents() { sched_yield() }
      }
      self.finished.withLock { $0 = true }
    }
    thread.stackSize = 1 << 20
    thread.start()
  }

  /// Stops the thread and waits until it has stopped.
  public func stop() {
    running.store(false, ordering: .relaxed)
    while !finished.withLock({ $0 }) { sched_yield() }
  }
}

extension GIMHost {
  func switchToRealTime() {
    withState { $0.realTimeStart = .now.advanced(by: .zero - $0.now) }
  }

  /// Fires the actions whose time has come on the wall clock.
  func runDueEvents() -> Progress {
    runEvents(
      until: withState { state in
        state.synchronizeWithRealTime()
        return state.now
      })
  }
}
