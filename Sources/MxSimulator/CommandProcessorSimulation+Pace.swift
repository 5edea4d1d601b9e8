/// How fast the CP runs packets. By default it runs a ring at once; with a packet time it runs
/// packets in periods of `Pace.packetsPerPeriod`, each period taking that many packet times on
/// the scheduler's time line before the next may start, so that work takes virtual time, a time
/// slice holds a bounded amount of it and a world switch can land in the middle of a ring or an
/// indirect buffer. The model's: a real CP's rate depends on the packet (a draw against a
/// register write); one time for every packet but the NOP pads (which the CP skips) is enough to
/// share the GPU between VFs in proportion to their slices. Fences and writes land at the start
/// of their period.
extension CommandProcessorSimulation {
  struct Pace {
    static let packetsPerPeriod = 32
    var packetTime: Duration = .zero
    /// Packets the current period may still run.
    var budget = 0
    /// Whether the current period's end is scheduled (no new period before it).
    var periodPending = false
  }

  /// Each packet takes `time` (zero: a ring runs at once). Needs a scheduler.
  public func setPacketTime(_ time: Duration) {
    state.withLock { $0.pace.packetTime = scheduler == nil ? .zero : time }
  }

  /// Whether the next packet may run now; if not, the queue goes on when the period ends.
  func spendPacketTime(_ state: inout State) -> Bool {
    guard state.pace.packetTime > .zero else { return true }
    if state.pace.budget > 0 {
      state.pace.budget -= 1
      return true
    }
    guard !state.pace.periodPending, let scheduler else { return false }
    state.pace.budget = Pace.packetsPerPeriod - 1
    state.pace.periodPending = true
    let generation = state.generation
    scheduler.schedule(after: state.pace.packetTime * Pace.packetsPerPeriod) { [weak self] in
      guard let self else { return }
      self.update { state in
        guard state.generation == generation else { return }
        state.pace.periodPending = false
        self.runEveryQueue(&state)
      }
    }
    return true
  }
}
