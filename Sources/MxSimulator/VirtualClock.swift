import MxLock

/// Virtual time for simulations without a mailbox: sleeping moves time to the deadline at once,
/// running every action scheduled up to it in time order on the way (a slow CP finishing a ring).
/// A 10-second KIQ timeout takes milliseconds and every run is the same.
public final class VirtualClock: Clock, HardwareScheduler, Sendable {
  public typealias Instant = SimulatedClock.Instant

  private struct Scheduled {
    var time: Duration
    var sequence: Int
    var action: @Sendable () -> Void
  }

  private struct State {
    var now: Duration = .zero
    var scheduled: [Scheduled] = []
    var sequence = 0
  }

  private let state = Lock(State())

  public init() {}

  public var now: Instant { Instant(offset: state.withLock { $0.now }) }
  public var elapsed: Duration { state.withLock { $0.now } }
  public var minimumResolution: Duration { .nanoseconds(1) }

  /// Runs `action` when virtual time reaches now + `delay`.
  public func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) {
    state.withLock { state in
      state.sequence += 1
      state.scheduled.append(Scheduled(time: state.now + delay, sequence: state.sequence, action: action))
    }
  }

  public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
    try Task.checkCancellation()
    while let next = state.withLock({ state -> Scheduled? in
      guard
        let index = state.scheduled.indices.min(by: {
          (state.scheduled[$0].time, state.scheduled[$0].sequence) < (
            state.scheduled[$1].time, state.scheduled[$1].sequence
          )
        }), state.scheduled[index].time <= deadline.offset
      else { return nil }
      let next = state.scheduled.remove(at: index)
      state.now = max(state.now, next.time)
      return next
    }) {
      next.action()
    }
    state.withLock { $0.now = max($0.now, deadline.offset) }
  }
}

/// A time line simulated hardware schedules its own work on (a slow CP): a `VirtualClock` for a
/// CP alone, the `GIMHost` for a CP in a whole VF.
public protocol HardwareScheduler: Sendable {
  /// Runs `work` `delay` from now on this time line.
  func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void)
  /// Time on this time line since it started.
  var elapsed: Duration { get }
}
