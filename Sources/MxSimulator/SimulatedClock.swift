/// Virtual time for a `GIMHost` and everything attached to it: sleeping runs the host's scheduled events in
/// time order up to the deadline, so a 12 s mailbox timeout takes microseconds of real time and
/// every run is the same. A sleep ends early, at an event's time, when that event interrupted
/// the guest (the guest's wait then re-reads the registers, as it would after a real interrupt).
///
/// When a `SimulationExecutor` drives the host (`SimulatedGPU`), sleeping instead waits for the
/// executor to bring time to the deadline, which it does only when no task can run.
public struct SimulatedClock: Clock {
  public struct Instant: InstantProtocol {
    /// Time since the simulation started.
    public var offset: Duration

    public init(offset: Duration) {
      self.offset = offset
    }

    public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
    public func duration(to other: Instant) -> Duration { other.offset - offset }
    public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
  }

  let host: GIMHost

  public var now: Instant { Instant(offset: host.now) }
  public var minimumResolution: Duration { .nanoseconds(1) }

  public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
    if let executor = host.executor {
      return try await host.sleep(until: deadline.offset, waking: executor)
    }
    while true {
      try Task.checkCancellation()
      switch host.runEvents(until: deadline.offset) {
      case .reachedDeadline: return
      case .interruptedGuest: return
      case .ranEvent: await Task.yield()
      }
    }
  }
}
