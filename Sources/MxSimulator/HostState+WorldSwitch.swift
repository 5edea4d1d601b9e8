/// The host's world switch (pf-host-facts §5.1, GIM's `world_switch_divided`): IDLE_GPU and
/// SAVE_GPU_STATE of the VF on the GPU, LOAD_GPU_STATE and RUN_GPU of the next, one command at a
/// time through the GPU-IOV capability, each polled to completion for at most 2 s.
///
/// - IDLE_GPU ends when the outgoing VF's CP reaches a preemption point
///   (`CommandProcessorSimulation.idle()`): at once, or once a non-preemptible GFX indirect
///   buffer has run to its end. A CP with a hung queue reports the GFX-hang status (0x0E) at once
///   (the model's: GIM would poll until its limit); one that is still busy at the limit times
///   out. Either way the switch failed: the outgoing VF goes down the FLR path (§3.1) and, as
///   GIM's `world_switch` does after a failure, the incoming VF is loaded and run.
/// - SAVE_GPU_STATE writes the CP's image into the VF's slot of the host's hardware CSA (§5.2);
///   LOAD_GPU_STATE gives it back to the incoming VF's CP; RUN_GPU lets it run. Each takes
///   `HostBehavior.worldSwitch`'s time (the model's; zero by default); one longer than the limit
///   fails, resetting the outgoing VF (SAVE) or the incoming one (LOAD, RUN).
///
/// What waits for the switch — a grant's READY_TO_ACCESS_GPU — comes after RUN_GPU. A switch
/// asked for while one is under way (a grant during a time slice's) follows it.
extension HostState {
  /// Where a world switch is.
  struct WorldSwitch {
    var id: Int
    /// The VF switched out (IDLE, SAVE); nil when none was on the GPU.
    var from: Int?
    var to: Int
    var command: GPUIOVCommand
    var since: Duration
    var then: AfterSwitch
  }

  /// What a world switch was for.
  enum AfterSwitch {
    /// A time slice: nothing more.
    case nothing
    /// The rest of a grant of exclusive access.
    case grant(vf: Int, loadingVBIOS: Bool, grant: Int)
  }

  /// Puts VF `vf` on the GPU, then does `then`.
  mutating func switchTo(_ vf: Int, then: AfterSwitch) {
    guard worldSwitch == nil else {
      // A grant is never replaced by a time slice's switch.
      if case .grant = queuedSwitch?.then, case .nothing = then { return }
      queuedSwitch = (vf, then)
      return
    }
    guard running != vf else { return perform(then) }
    switchCount += 1
    var next = WorldSwitch(id: switchCount, from: running, to: vf, command: .idleGPU, since: now, then: then)
    guard let outgoing = running else { return load(&next) }
    running = nil
    worldSwitch = next
    hardwareActions.append((outgoing, .idle))
    schedule(.worldSwitchLimit(id: next.id), at: now + behavior.worldSwitch.limit)
  }

  /// The outgoing VF's CP is idle: SAVE_GPU_STATE.
  mutating func idleReached(vf: Int) {
    guard var current = worldSwitch, current.command == .idleGPU, current.from == vf else { return }
    cancelIdleLimit(of: current)
    recordCommand(.idleGPU, of: vf, since: current.since, .done)
    current.command = .saveGPUState
    current.since = now
    worldSwitch = current
    hardwareActions.append((vf, .save))
    scheduleStep(of: current, taking: behavior.worldSwitch.save)
  }

  /// The CP's image from SAVE_GPU_STATE, into VF `vf`'s slot of the hardware CSA.
  mutating func store(_ image: [UInt32], of vf: Int) {
    guard let current = worldSwitch, current.command == .saveGPUState, current.from == vf else { return }
    functions[vf].hardwareContext = image
  }

  /// IDLE_GPU failed: the outgoing VF is reset, and the incoming one loaded.
  mutating func idleFailed(_ failed: WorldSwitch, outcome: GPUIOVOutcome) {
    guard var current = worldSwitch, current.id == failed.id, let outgoing = current.from else { return }
    cancelIdleLimit(of: current)
    recordCommand(.idleGPU, of: outgoing, since: current.since, outcome)
    hardwareActions.append((outgoing, .switchedOut))
    let status: UInt8? = if case .hang(let status) = outcome { status } else { nil }
    resetAfterFailedSwitch(outgoing, status: status)
    load(&current)
  }

  /// A VF reset while IDLE_GPU waited for it: the reset idled it; the switch goes on without a
  /// SAVE (there is nothing left to save).
  mutating func outgoingFunctionWasReset(_ vf: Int) {
    guard var current = worldSwitch, current.command == .idleGPU, current.from == vf else { return }
    cancelIdleLimit(of: current)
    recordCommand(.idleGPU, of: vf, since: current.since, .done)
    load(&current)
  }

  /// IDLE_GPU ended before its limit: the limit's event goes, rather than wait out its 2 s in
  /// the time line (a switch every 6 ms would keep hundreds there, each one searched past).
  private mutating func cancelIdleLimit(of current: WorldSwitch) {
    dropScheduledActions { action in
      if case .worldSwitchLimit(let id) = action { id == current.id } else { false }
    }
  }

  /// A command took its time: the next one, or the end of the switch.
  mutating func worldSwitchStep(_ id: Int) {
    guard var current = worldSwitch, current.id == id else { return }
    let timing = behavior.worldSwitch
    switch current.command {
    case .idleGPU:
      return  // ended by the CP or by the limit
    case .saveGPUState:
      let outgoing = current.from!
      let failed = timing.save > timing.limit
      recordCommand(.saveGPUState, of: outgoing, since: current.since, failed ? .timedOut : .done)
      if failed {
        functions[outgoing].hardwareContext = []
        resetAfterFailedSwitch(outgoing, status: nil)
      }
      load(&current)
    case .loadGPUState:
      guard finish(.loadGPUState, of: &current, taking: timing.load) else { return }
      hardwareActions.append((current.to, .load(functions[current.to].hardwareContext)))
      current.command = .runGPU
      current.since = now
      worldSwitch = current
      scheduleStep(of: current, taking: timing.run)
    case .runGPU:
      guard finish(.runGPU, of: &current, taking: timing.run) else { return }
      worldSwitch = nil
      // A VF that left the run list while it was being loaded (a reset) is not run; a grant's
      // VF is put on the list by the grant.
      if case .nothing = current.then, !functions[current.to].onRunList {
        return startQueuedSwitch()
      }
      running = current.to
      hardwareActions.append((current.to, .switchedIn))
      if functions.count > 1 { record(current.to, .worldSwitch) }
      perform(current.then)
      startQueuedSwitch()
    }
  }

  /// Records the incoming VF's command; a command longer than the limit fails, resetting the
  /// incoming VF and ending the switch with nothing on the GPU. Whether it succeeded.
  private mutating func finish(_ command: GPUIOVCommand, of current: inout WorldSwitch, taking time: Duration) -> Bool {
    let failed = time > behavior.worldSwitch.limit
    recordCommand(command, of: current.to, since: current.since, failed ? .timedOut : .done)
    guard failed else { return true }
    worldSwitch = nil
    resetAfterFailedSwitch(current.to, status: nil)
    startQueuedSwitch()
    return false
  }

  /// LOAD_GPU_STATE of the incoming VF.
  private mutating func load(_ current: inout WorldSwitch) {
    current.command = .loadGPUState
    current.since = now
    worldSwitch = current
    scheduleStep(of: current, taking: behavior.worldSwitch.load)
  }

  /// The command's end after `time`, or at the limit if it takes longer.
  private mutating func scheduleStep(of current: WorldSwitch, taking time: Duration) {
    schedule(.worldSwitchStep(id: current.id), at: now + min(time, behavior.worldSwitch.limit))
  }

  /// A command in the log, as `.worldSwitch` is: only with more than one VF (one alone is never
  /// switched; GIM's switch to itself every 500 ms is not modelled).
  private mutating func recordCommand(
    _ command: GPUIOVCommand, of vf: Int, since start: Duration, _ outcome: GPUIOVOutcome
  ) {
    if functions.count > 1 { record(vf, .gpuIOV(command, duration: now - start, outcome: outcome)) }
  }

  private mutating func startQueuedSwitch() {
    guard let queued = queuedSwitch else { return }
    queuedSwitch = nil
    switchTo(queued.to, then: queued.then)
  }

  private mutating func perform(_ then: AfterSwitch) {
    if case .grant(let vf, let loadingVBIOS, let grant) = then {
      completeGrant(to: vf, loadingVBIOS: loadingVBIOS, grant: grant)
    }
  }
}

/// A command of the GPU-IOV capability's command byte (pf-host-facts 5.1, `gim_gpuiov.h`).
public enum GPUIOVCommand: UInt8, Equatable, Sendable {
  case idleGPU = 1
  case saveGPUState = 2
  case loadGPUState = 3
  case runGPU = 4

  /// The command's name in GIM.
  public var name: String {
    switch self {
    case .idleGPU: "IDLE_GPU"
    case .saveGPUState: "SAVE_GPU_STATE"
    case .loadGPUState: "LOAD_GPU_STATE"
    case .runGPU: "RUN_GPU"
    }
  }
}

/// How a GPU-IOV command ended (`wait_cmd_complete`).
public enum GPUIOVOutcome: Equatable, Sendable {
  /// Status 0.
  case done
  /// A hang status: 0x0E GFX, 0x0F SDMA.
  case hang(status: UInt8)
  /// Still not done at the limit.
  case timedOut
}

/// How long the GPU-IOV commands of a world switch take in the model, and GIM's limit.
public struct WorldSwitchTiming: Equatable, Sendable {
  /// SAVE_GPU_STATE, LOAD_GPU_STATE and RUN_GPU, once issued (the model's: nothing public says;
  /// zero by default). IDLE_GPU takes as long as the CP needs to reach a preemption point.
  public var save: Duration = .zero
  public var load: Duration = .zero
  public var run: Duration = .zero
  /// GIM's poll limit for each command (2 s; 3 s is INIT_GPU's, which the model does not issue).
  public var limit: Duration = .seconds(2)

  public init(save: Duration = .zero, load: Duration = .zero, run: Duration = .zero, limit: Duration = .seconds(2)) {
    (self.save, self.load, self.run, self.limit) = (save, load, run, limit)
  }
}
