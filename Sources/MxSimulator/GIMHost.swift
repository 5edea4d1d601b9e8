import MxLock
import MxMMIO

/// A GPU's host (PF driver) with its virtual functions, behaving like AMD's GIM for Tonga
/// (pf-host-facts): it acknowledges every message in its ISR and keeps one waiting request per
/// VF; its scheduler serves at most one release and one request per mailbox interrupt, one owner
/// at a time, switching every other VF out for the exclusive window; it answers requests with
/// READY_TO_ACCESS_GPU after loading the VBIOS into the VF's frame buffer, resets a VF silently
/// on REQ_GPU_RESET_ACCESS, takes the GPU back with an FLR after the exclusive limit, sends
/// FLR_NOTIFICATION_CMPL without RCV_MSG_VALID, and time-slices the VFs on its run list.
///
/// Each VF's BAR 5 is a `MailboxSimulation` (`function(_:)`); what the host does to a VF's
/// hardware (VBIOS load, reset, world switch) goes to the handler connected with
/// `connectHardware(of:_:)`. The host is also the time line of everything attached to it:
/// `clock` is its virtual time, and hardware work scheduled with `schedule(after:_:)` runs on it.
public final class GIMHost: HardwareScheduler, Sendable {
  private let state: Lock<HostState>
  private let interruptHandlers: Lock<[(@Sendable (UInt32) -> Void)?]>
  private let hardwareHandlers: Lock<[(@Sendable (HostHardwareAction) -> Void)?]>
  public let functionCount: Int

  /// A host with `functions` VFs (GIM takes 1 to 16), keeping the newest `logCapacity` records
  /// of what it did (`log`).
  public init(behavior: HostBehavior = .gim, functions: Int = 1, logCapacity: Int = 100_000) {
    precondition((1...16).contains(functions), "GIM manages 1 to 16 VFs")
    state = Lock(HostState(behavior: behavior, functions: functions, logCapacity: logCapacity))
    interruptHandlers = Lock(Array(repeating: nil, count: functions))
    hardwareHandlers = Lock(Array(repeating: nil, count: functions))
    functionCount = functions
    state.withLock { state in
      for vf in 0..<functions {
        for case .spuriousValid(let time) in behavior.faults(of: vf) {
          state.schedule(.hostSends(vf: vf, 0, mode: .spurious), at: time)
        }
      }
    }
  }

  /// From now on VF `vf` sees `faults` (on top of those towards every VF) instead of what it
  /// saw: a host that misbehaves for a while, for soaks. The counted faults count afresh; a
  /// `.spuriousValid` whose time has passed does not come.
  public func setFaults(_ faults: [HostFault], of vf: Int) {
    precondition((0..<functionCount).contains(vf), "no VF \(vf)")
    state.withLock { state in
      state.behavior.faultsByFunction[vf] = faults
      (state.functions[vf].ignoredRequests, state.functions[vf].injectedResets) = (0, 0)
      for case .spuriousValid(let time) in faults where time >= state.now {
        state.schedule(.hostSends(vf: vf, 0, mode: .spurious), at: time)
      }
    }
  }

  /// VF `index`'s BAR 5 as its guest sees it.
  public func function(_ index: Int) -> MailboxSimulation {
    precondition((0..<functionCount).contains(index), "no VF \(index)")
    return MailboxSimulation(host: self, index: index)
  }

  /// The host's virtual time.
  public var clock: SimulatedClock { SimulatedClock(host: self) }

  /// What the host received and did, for every VF, in order (the newest `logCapacity` records).
  public var log: [HostLogRecord] { state.withLock { $0.log.entries } }
  /// How many records the host made in all.
  public var logTotal: Int { state.withLock { $0.log.total } }

  /// The VF that holds exclusive access, if any.
  public var owner: Int? { state.withLock { $0.owner } }

  /// The VF whose context is on the GPU.
  public var running: Int? { state.withLock { $0.running } }

  /// How many world switches the host has begun (each an IDLE and SAVE of one VF, or none, then
  /// a LOAD and RUN of another).
  public var worldSwitchCount: Int { state.withLock { $0.switchCount } }

  /// Whether VF `index` is on the host's run list (initialised and time-sliced).
  public func isOnRunList(_ index: Int) -> Bool { state.withLock { $0.functions[index].onRunList } }

  /// Where VF `index`'s mailbox interrupts (sources 135 and 138) go: its guest's IRQ entry point.
  public func connectInterrupts(of index: Int, _ handler: @escaping @Sendable (UInt32) -> Void) {
    interruptHandlers.withLock { $0[index] = handler }
  }

  /// Where the host's actions on VF `index`'s hardware go.
  public func connectHardware(of index: Int, _ handler: @escaping @Sendable (HostHardwareAction) -> Void) {
    hardwareHandlers.withLock { $0[index] = handler }
  }

  /// Resets VF `index` at `time`, as GIM does after a failed world switch: FLR_NOTIFICATION, the
  /// VF's FLR 10 ms later, FLR_NOTIFICATION_CMPL (without VALID) when it is done, and the VF off
  /// the run list; the host's scheduler waits meanwhile. Any moment is allowed, the VF's own
  /// exclusive window included (docs/Mailbox.md, "Host resets": what is GIM's, what the model's).
  public func scheduleReset(of index: Int, at time: Duration) {
    state.withLock { $0.schedule(.resetNotice(vf: index, reason: .hostInitiated), at: time) }
  }

  /// Runs `work` on the host's time line `delay` from now (a VF's slow CP).
  public func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) {
    state.withLock { $0.schedule(.hardware(work), at: $0.now + delay) }
  }

  /// The answer to `.checkWritePointerPlacement`: VF `index` polls a write pointer outside the
  /// liquid scheduler's window, so the host drops it from the run list and clears its VRAM.
  public func refuseWritePointerPlacement(of index: Int) {
    let effects = state.withLock { state in
      state.writePointerPlacementRefused(vf: index)
      return state.takeEffects()
    }
    deliver(effects)
  }

  /// The answer to `.idle`: VF `index`'s CP is idle, at a preemption point.
  public func reportIdle(of index: Int) {
    let effects = state.withLock { state in
      state.idleReached(vf: index)
      return state.takeEffects()
    }
    deliver(effects)
  }

  /// The answer to `.save`: VF `index`'s CP image, kept in its slot of the hardware CSA.
  public func storeContext(_ image: [UInt32], of index: Int) {
    state.withLock { $0.store(image, of: index) }
  }

  /// What VF `index`'s slot of the hardware CSA holds.
  public func savedContext(of index: Int) -> [UInt32] { state.withLock { $0.functions[index].hardwareContext } }

  /// The answer to `.idle`: VF `index`'s CP could not idle (GPU-IOV status 0x0E, GFX hang), so
  /// the switch failed and the host resets the VF, as GIM resets the outgoing VF of a failed
  /// world switch (pf-host-facts 3.1): FLR_NOTIFICATION, FLR, completion, off the run list.
  public func reportIdleFailure(of index: Int) {
    let effects = state.withLock { state in
      state.idleFailed(vf: index)
      return state.takeEffects()
    }
    deliver(effects)
  }

  var now: Duration { state.withLock { $0.now } }
  public var elapsed: Duration { now }

  // MARK: Time driven by an executor

  /// The executor that advances this host's time, once `drive()` made one.
  private let driver = Lock<SimulationExecutor?>(nil)

  /// From now on time is advanced by a `SimulationExecutor` of the host's own (made here once):
  /// sleepers wait for it instead of advancing time themselves.
  func drive() -> SimulationExecutor {
    driver.withLock { driver in
      if let driver { return driver }
      let executor = SimulationExecutor { [weak self] in self?.advance() ?? false }
      driver = executor
      return executor
    }
  }

  /// Ends the simulation: the driving executor's thread stops, the handlers — which hold the
  /// VFs' hardware and guests, and through them the host — are let go, and so are the actions
  /// still scheduled. Tasks still sleeping on the host's time wake now, and from here on time
  /// moves as a sleeper asks (as without an executor), so what is left of the guests' work
  /// finishes and everything is freed.
  func shutDown() {
    let sleepers = state.withLock { state in
      state.isShutDown = true
      state.dropScheduledActions()
      defer { state.sleepers.removeAll() }
      return state.sleepers
    }
    driver.withLock { $0?.stop() }
    interruptHandlers.withLock { $0 = Array(repeating: nil, count: functionCount) }
    hardwareHandlers.withLock { $0 = Array(repeating: nil, count: functionCount) }
    for sleeper in sleepers { sleeper.continuation.resume() }
  }

  /// The executor that drives the host's time, unless the simulation has ended.
  var executor: SimulationExecutor? {
    guard !state.withLock({ $0.isShutDown }) else { return nil }
    return driver.withLock { $0 }
  }

  /// Sleeps until `deadline` on the host's driven time line.
  func sleep(until deadline: Duration, waking executor: SimulationExecutor) async throws {
    let id = state.withLock { state in
      state.nextSleeper += 1
      return state.nextSleeper
    }
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let early: (any Error)?? = state.withLock { state in
          if Task.isCancelled { return .some(CancellationError()) }
          if deadline <= state.now || state.isShutDown { return .some(nil) }
          state.sleepers.append(HostState.Sleeper(id: id, deadline: deadline, continuation: continuation))
          return nil
        }
        switch early {
        case .some(.some(let error)): continuation.resume(throwing: error)
        case .some(.none): continuation.resume()
        case .none: executor.wake()
        }
      }
    } onCancel: {
      let sleeper = state.withLock { state -> HostState.Sleeper? in
        guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
        return state.sleepers.remove(at: index)
      }
      sleeper?.continuation.resume(throwing: CancellationError())
    }
  }

  /// The next thing that happens on the driven time line: the earliest event due by the earliest
  /// sleeper's deadline runs, or time moves to that deadline and every sleeper due wakes. False
  /// when no one sleeps (nothing waits on time, so it does not move).
  private func advance() -> Bool {
    let (effects, woken) = state.withLock { state -> (HostState.Effects?, [HostState.Sleeper]) in
      guard let wake = state.sleepers.map(\.deadline).min() else { return (nil, []) }
      if let event = state.popEvent(dueBy: wake) {
        state.now = max(state.now, event.time)
        state.run(event.action)
        return (state.takeEffects(), [])
      }
      state.now = max(state.now, wake)
      let now = state.now
      let woken = state.sleepers.filter { $0.deadline <= now }
      state.sleepers.removeAll { $0.deadline <= now }
      return (nil, woken)
    }
    if let effects { deliver(effects) }
    for sleeper in woken { sleeper.continuation.resume() }
    return effects != nil || !woken.isEmpty
  }

  func withState<T>(_ body: (inout HostState) -> T) -> T { state.withLock { body(&$0) } }

  // MARK: A VF's registers

  func read32(at offset: UInt32, vf: Int) -> UInt32 {
    state.withLock { state in
      state.synchronizeWithRealTime()
      let value = state.read(offset, vf: vf)
      state.functions[vf].trace.append(.read(offset: offset, value: value))
      return value
    }
  }

  func write32(_ value: UInt32, at offset: UInt32, vf: Int) {
    let effects = state.withLock { state in
      state.synchronizeWithRealTime()
      state.functions[vf].trace.append(.write(offset: offset, value: value))
      state.write(value, at: offset, vf: vf)
      return state.takeEffects()
    }
    deliver(effects)
  }

  // MARK: Time

  enum Progress {
    case ranEvent
    case interruptedGuest
    case reachedDeadline
  }

  /// Runs the earliest event due by `deadline`, or moves time to the deadline if none is.
  func runEvents(until deadline: Duration) -> Progress {
    let (progress, effects) = state.withLock { state -> (Progress, HostState.Effects) in
      guard let event = state.popEvent(dueBy: deadline) else {
        state.now = max(state.now, deadline)
        return (.reachedDeadline, state.takeEffects())
      }
      state.now = max(state.now, event.time)
      state.run(event.action)
      let effects = state.takeEffects()
      return (effects.interrupts.isEmpty ? .ranEvent : .interruptedGuest, effects)
    }
    deliver(effects)
    return progress
  }

  /// Hands what the host did to the VFs' hardware and guests, outside the host's lock (the
  /// handlers may call back into it).
  private func deliver(_ effects: HostState.Effects) {
    guard !effects.isEmpty else { return }
    for work in effects.work { work() }
    if !effects.hardware.isEmpty {
      let handlers = hardwareHandlers.withLock { $0 }
      for (vf, action) in effects.hardware { handlers[vf]?(action) }
    }
    if !effects.interrupts.isEmpty {
      let handlers = interruptHandlers.withLock { $0 }
      for (vf, source) in effects.interrupts { handlers[vf]?(source) }
    }
  }
}

/// What the host does to a VF's hardware.
public enum HostHardwareAction: Equatable, Sendable {
  /// load_vbios at a REQ_GPU_INIT/RESET_ACCESS grant: the VBIOS image is copied to the start
  /// of the VF's frame buffer — what the VF kept in VRAM there is gone.
  case loadVBIOS
  /// A function-level reset of the VF: its GPU state (queues, registers) is back to reset.
  case functionLevelReset
  /// clear_vf_fb: the VF's VRAM is cleared.
  case clearFrameBuffer
  /// World switch (`HostState+WorldSwitch.swift`), IDLE_GPU: the VF's CP stops at its next
  /// preemption point and calls `GIMHost.reportIdle(of:)`; one that cannot (a queue hung) calls
  /// `GIMHost.reportIdleFailure(of:)` …
  case idle
  /// … SAVE_GPU_STATE: the CP's image goes to `GIMHost.storeContext(_:of:)` …
  case save
  /// … and, for a failed IDLE or any other reason (a reset, leaving the run list), the VF stops
  /// running.
  case switchedOut
  /// LOAD_GPU_STATE: the VF's image from its last SAVE (empty after its INIT or a reset) …
  case load([UInt32])
  /// … and RUN_GPU.
  case switchedIn
  /// The liquid scheduler checks where the VF's CP polls its write pointers; a VF that finds
  /// one outside its first 256 MiB of VRAM calls `GIMHost.refuseWritePointerPlacement(of:)`.
  case checkWritePointerPlacement
}

/// One thing the host did, with when and for which VF.
public struct HostLogRecord: Equatable, Sendable {
  public var time: Duration
  public var vf: Int
  public var entry: HostLogEntry
}
