import MxBIF50
import MxLock
import MxMMIO
import MxMailbox

/// Everything a `GIMHost` holds: each VF's registers and mailbox as that VF sees it, GIM's
/// bookkeeping (owner, run list, one waiting task per VF), and the queue of scheduled actions
/// that is the simulation's time line.
struct HostState {
  enum SendMode {
    /// mailbox_msg_trn: clear TRN_MSG_VALID, write DW0, set TRN_MSG_VALID.
    case message
    /// FLR_NOTIFICATION: write DW0, set TRN_MSG_VALID without clearing it first.
    case resetNotification
    /// FLR_NOTIFICATION_CMPL: write DW0, leave TRN_MSG_VALID as it is.
    case resetCompletion
    /// Set TRN_MSG_VALID with nothing written.
    case spurious
  }

  enum Action {
    case hostReceives(vf: Int)
    case signalScheduler
    case hostSends(vf: Int, UInt32, mode: SendMode)
    case hostTakesAcknowledgement(vf: Int)
    case exclusiveTimeout(vf: Int, grant: Int)
    /// gim_sched_reset_vf: FLR_NOTIFICATION, …
    case resetNotice(vf: Int, reason: ResetReason)
    /// … 10 ms later the VF's FLR, …
    case functionLevelReset(vf: Int)
    /// … and FLR_NOTIFICATION_CMPL when it is done.
    case resetDone(vf: Int, reason: ResetReason)
    case timeSlice(generation: Int)
    /// A world switch's GPU-IOV command has taken its time (SAVE, LOAD, RUN) …
    case worldSwitchStep(id: Int)
    /// … or IDLE_GPU reached GIM's limit without the CP going idle.
    case worldSwitchLimit(id: Int)
    /// Work of the VF's hardware (a slow CP) on this time line.
    case hardware(@Sendable () -> Void)
  }

  struct Event {
    var time: Duration
    var sequence: Int
    var action: Action
  }

  /// One VF: its BAR as the guest sees it and GIM's view of it.
  struct VirtualFunction {
    // Registers outside the mailbox: plain memory, with the VF identity preset.
    var registers: [UInt32: UInt32] = [BIF_IOV_FUNC_IDENTIFIER.info.offset: 0x8000_0001]
    var trace: [BusAccess] = []
    // The mailbox as the VF sees it. TRN_* is guest → host, RCV_* host → guest.
    var transmitBuffer: [UInt32] = [0, 0, 0, 0]
    var receiveBuffer: [UInt32] = [0, 0, 0, 0]
    var transmitValid = false
    var transmitAcknowledged = false
    var receiveValid = false
    var receiveAcknowledged = false
    var validInterruptEnabled = false
    var acknowledgeInterruptEnabled = false
    // GIM's view.
    var onRunList = false
    var inReset = false
    /// irq_tasks[vf]: the one request waiting for the scheduler.
    var waitingTask: UInt32?
    /// start_time: when the host began serving the VF's last request (the exclusive limit counts
    /// from there).
    var exclusiveSince: Duration = .zero
    /// The VF's slot of the host's hardware CSA (§5.2): what its last SAVE_GPU_STATE wrote, for
    /// its next LOAD_GPU_STATE; empty after its INIT, an FLR or leaving the run list.
    var hardwareContext: [UInt32] = []
    /// How many of the VF's requests `.ignoreRequests` dropped, and grants `.resetAfterGrant` reset.
    var ignoredRequests = 0
    var injectedResets = 0
  }

  var behavior: HostBehavior
  /// Virtual time, or — in real-time mode — the wall-clock time since `realTimeStart`, brought
  /// up to date before every access and event.
  var now: Duration = .zero
  var realTimeStart: ContinuousClock.Instant?
  var functions: [VirtualFunction]
  var log: BoundedLog<HostLogRecord>
  /// vf_req_gpu_access: the VF that holds exclusive access.
  private(set) var owner: Int?
  /// The VF whose context is on the GPU (world switches move it); nil while a switch is under way.
  var running: Int?
  /// The world switch under way, and the one asked for meanwhile (`HostState+WorldSwitch.swift`).
  var worldSwitch: WorldSwitch?
  var queuedSwitch: (to: Int, then: AfterSwitch)?
  var switchCount = 0
  private var grant = 0
  /// The VF whose reset holds the host: GIM runs a reset under `curr_running_func_mutex`, which
  /// its request handler takes too, so the scheduler's work waits until the reset is done.
  private var resetting: Int?
  /// What came due while a reset held the host: one scheduler run, and further resets in order.
  private var schedulerWaits = false
  private var resetsWaiting: [(vf: Int, reason: ResetReason)] = []
  private var sliceGeneration = 0
  private var events: [Event] = []
  private var sequence = 0
  private var raisedInterrupts: [(vf: Int, source: UInt32)] = []
  var hardwareActions: [(vf: Int, action: HostHardwareAction)] = []
  private var hardwareWork: [@Sendable () -> Void] = []
  /// Tasks sleeping on the host's clock while an executor drives it.
  var sleepers: [Sleeper] = []
  var nextSleeper = 0
  /// Set by `GIMHost.shutDown()`: no executor drives time any more.
  var isShutDown = false

  struct Sleeper {
    var id: Int
    var deadline: Duration
    var continuation: CheckedContinuation<Void, any Error>
  }

  init(behavior: HostBehavior, functions: Int, logCapacity: Int) {
    self.behavior = behavior
    self.functions = Array(repeating: VirtualFunction(), count: functions)
    log = BoundedLog(capacity: logCapacity)
  }

  // MARK: Scheduling

  /// In real-time mode, moves `now` to the wall clock.
  mutating func synchronizeWithRealTime() {
    if let start = realTimeStart { now = start.duration(to: .now) }
  }

  mutating func schedule(_ action: Action, at time: Duration) {
    sequence += 1
    events.append(Event(time: time, sequence: sequence, action: action))
  }

  /// Forgets every scheduled action (they hold the VFs' hardware).
  mutating func dropScheduledActions() {
    events.removeAll()
  }

  /// Forgets the scheduled actions `predicate` picks.
  mutating func dropScheduledActions(where predicate: (Action) -> Bool) {
    events.removeAll { predicate($0.action) }
  }

  mutating func popEvent(dueBy deadline: Duration) -> Event? {
    guard
      let index = events.indices.min(by: {
        (events[$0].time, events[$0].sequence) < (events[$1].time, events[$1].sequence)
      }),
      events[index].time <= deadline
    else { return nil }
    return events.remove(at: index)
  }

  /// What the last access or event asks of the world outside the lock: guest interrupts,
  /// hardware actions on VFs, and hardware work that came due.
  mutating func takeEffects() -> Effects {
    defer {
      raisedInterrupts.removeAll()
      hardwareActions.removeAll()
      hardwareWork.removeAll()
    }
    return Effects(interrupts: raisedInterrupts, hardware: hardwareActions, work: hardwareWork)
  }

  struct Effects {
    var interrupts: [(vf: Int, source: UInt32)]
    var hardware: [(vf: Int, action: HostHardwareAction)]
    var work: [@Sendable () -> Void]
    var isEmpty: Bool { interrupts.isEmpty && hardware.isEmpty && work.isEmpty }
  }

  mutating func record(_ vf: Int, _ entry: HostLogEntry) {
    log.append(HostLogRecord(time: now, vf: vf, entry: entry))
  }

  // MARK: A VF's registers

  func read(_ offset: UInt32, vf: Int) -> UInt32 {
    let function = functions[vf]
    switch offset {
    case MAILBOX_CONTROL.info.offset:
      var value = RegisterValue<MAILBOX_CONTROL>(rawValue: 0)
      value[MAILBOX_CONTROL.TRN_MSG_VALID] = function.transmitValid
      // Read-only for the VF; the host (this simulation) sets them.
      value[MAILBOX_CONTROL.TRN_MSG_ACK.field] = function.transmitAcknowledged
      value[MAILBOX_CONTROL.RCV_MSG_VALID.field] = function.receiveValid
      value[MAILBOX_CONTROL.RCV_MSG_ACK] = function.receiveAcknowledged
      return value.rawValue
    case MAILBOX_INT_CNTL.info.offset:
      var value = RegisterValue<MAILBOX_INT_CNTL>(rawValue: 0)
      value[MAILBOX_INT_CNTL.VALID_INT_EN] = function.validInterruptEnabled
      value[MAILBOX_INT_CNTL.ACK_INT_EN] = function.acknowledgeInterruptEnabled
      return value.rawValue
    case MAILBOX_MSGBUF_TRN_DW0.info.offset...MAILBOX_MSGBUF_TRN_DW3.info.offset:
      return function.transmitBuffer[Int(offset - MAILBOX_MSGBUF_TRN_DW0.info.offset)]
    case MAILBOX_MSGBUF_RCV_DW0.info.offset...MAILBOX_MSGBUF_RCV_DW3.info.offset:
      return function.receiveBuffer[Int(offset - MAILBOX_MSGBUF_RCV_DW0.info.offset)]
    default:
      return function.registers[offset] ?? 0
    }
  }

  mutating func write(_ value: UInt32, at offset: UInt32, vf: Int) {
    switch offset {
    case MAILBOX_CONTROL.info.offset:
      // The VF owns TRN_MSG_VALID and RCV_MSG_ACK; TRN_MSG_ACK and RCV_MSG_VALID are the host's.
      let control = RegisterValue<MAILBOX_CONTROL>(rawValue: value)
      let valid = control[MAILBOX_CONTROL.TRN_MSG_VALID]
      if valid && !functions[vf].transmitValid {
        functions[vf].transmitValid = true
        if let delay = acknowledgeDelay(of: vf) { schedule(.hostReceives(vf: vf), at: now + delay) }
      } else if !valid && functions[vf].transmitValid {
        // The hardware drops the host's acknowledgement when the VF withdraws its message.
        functions[vf].transmitValid = false
        functions[vf].transmitAcknowledged = false
      }
      let acknowledge = control[MAILBOX_CONTROL.RCV_MSG_ACK]
      if acknowledge && !functions[vf].receiveAcknowledged && functions[vf].receiveValid {
        schedule(.hostTakesAcknowledgement(vf: vf), at: now + behavior.takeAcknowledgementDelay)
      }
      functions[vf].receiveAcknowledged = acknowledge
    case MAILBOX_INT_CNTL.info.offset:
      let control = RegisterValue<MAILBOX_INT_CNTL>(rawValue: value)
      functions[vf].validInterruptEnabled = control[MAILBOX_INT_CNTL.VALID_INT_EN]
      functions[vf].acknowledgeInterruptEnabled = control[MAILBOX_INT_CNTL.ACK_INT_EN]
    case MAILBOX_MSGBUF_TRN_DW0.info.offset...MAILBOX_MSGBUF_TRN_DW3.info.offset:
      functions[vf].transmitBuffer[Int(offset - MAILBOX_MSGBUF_TRN_DW0.info.offset)] = value
    case MAILBOX_MSGBUF_RCV_DW0.info.offset...MAILBOX_MSGBUF_RCV_DW3.info.offset:
      break  // written only by the host
    default:
      functions[vf].registers[offset] = value
    }
  }

  private func acknowledgeDelay(of vf: Int) -> Duration? {
    for fault in behavior.faults(of: vf) {
      switch fault {
      case .noAcknowledgement: return nil
      case .lateAcknowledgement(let delay): return delay
      default: continue
      }
    }
    return behavior.acknowledgeDelay
  }

  // MARK: The host (GIM)

  mutating func run(_ action: Action) {
    switch action {
    case .hostReceives(let vf):
      receive(from: vf)
    case .signalScheduler:
      if resetting == nil {
        signalScheduler()
      } else {
        schedulerWaits = true
      }
    case .hostSends(let vf, let message, let mode):
      send(message, to: vf, mode: mode)
    case .hostTakesAcknowledgement(let vf):
      // The host clears its TRN_MSG_VALID; the hardware drops the VF's acknowledgement with it.
      functions[vf].receiveValid = false
      functions[vf].receiveAcknowledged = false
    case .exclusiveTimeout(let vf, let timedGrant):
      guard timedGrant == grant, owner == vf else { return }
      record(vf, .exclusiveTimeout)
      run(.resetNotice(vf: vf, reason: .exclusiveTimeout))
    case .resetNotice(let vf, let reason):
      guard resetting == nil else {
        resetsWaiting.append((vf, reason))  // one reset at a time, as under GIM's mutex
        return
      }
      // gim_sched_reset_vf: notify, wait 10 ms without waiting for the guest, reset.
      resetting = vf
      functions[vf].inReset = true
      record(vf, .resetStarted)
      send(XgpuViEvent.IDH_FLR_NOTIFICATION.rawValue, to: vf, mode: .resetNotification)
      schedule(.functionLevelReset(vf: vf), at: now + behavior.resetNotice)
      schedule(.resetDone(vf: vf, reason: reason), at: now + behavior.resetNotice + behavior.resetDuration)
    case .functionLevelReset(let vf):
      // gim_vf_flr, then IDLE_GPU and SAVE_GPU_STATE of the reset VF.
      hardwareActions.append((vf, .functionLevelReset))
      functions[vf].hardwareContext = []
      if running == vf {
        hardwareActions.append((vf, .switchedOut))
        running = nil
      }
      outgoingFunctionWasReset(vf)
    case .resetDone(let vf, let reason):
      finishReset(of: vf, reason: reason)
    case .timeSlice(let generation):
      guard generation == sliceGeneration, owner == nil, resetting == nil else { return }
      let list = functions.indices.filter { functions[$0].onRunList }
      guard !list.isEmpty else { return }
      // A switch that has not ended (an IDLE waiting for a preemption point) takes this slice.
      if worldSwitch == nil {
        let next = list.first { $0 > (running ?? -1) } ?? list[0]
        switchTo(next, then: .nothing)
      }
      schedule(.timeSlice(generation: generation), at: now + sliceLength(list.count))
    case .worldSwitchStep(let id):
      worldSwitchStep(id)
    case .worldSwitchLimit(let id):
      guard let current = worldSwitch, current.id == id, current.command == .idleGPU else { return }
      idleFailed(current, outcome: .timedOut)
    case .hardware(let work):
      hardwareWork.append(work)
    }
  }

  /// The end of a VF's reset: FLR_NOTIFICATION_CMPL (without VALID), the VF off the run list and
  /// its frame buffer cleared (really cleared only with fb_clear=1) — it never runs again until it
  /// asks for access — and no longer the owner; then the host's work that waited for the reset.
  ///
  /// GIM does this on the paths that reset a VF under its scheduler's lock: a failed world switch
  /// (`world_switch`, which can reset only a VF that does not own the GPU) and the exclusive-time
  /// limit (`handle_fullaccess_timeout`, which clears the ownership). That a reset of the owner
  /// by any other cause ends its ownership too is the model's choice (GIM's monitor `flr` command
  /// leaves it, and the owner's next request then waits for the 5 s limit); so is the order of a
  /// request that waited through the reset: it is served once the reset is done, never between
  /// FLR_NOTIFICATION and its completion (GIM's monitor command, which takes no lock, can answer
  /// one in between). After the exclusive-time limit GIM does not run its mailbox work again, so
  /// what waited stays waiting until some VF's next message (pf-host-facts 2.7).
  private mutating func finishReset(of vf: Int, reason: ResetReason) {
    send(XgpuViEvent.IDH_FLR_NOTIFICATION_CMPL.rawValue, to: vf, mode: .resetCompletion)
    if owner == vf {
      owner = nil
      grant += 1
    }
    // in_flr stays set until the VF's REL_GPU_INIT_ACCESS, but after the exclusive-time limit.
    if reason == .exclusiveTimeout { functions[vf].inReset = false }
    removeFromRunList(vf)
    if behavior.clearsFrameBuffer { hardwareActions.append((vf, .clearFrameBuffer)) }
    record(vf, .resetCompleted)
    resetting = nil
    if !resetsWaiting.isEmpty {
      let next = resetsWaiting.removeFirst()
      run(.resetNotice(vf: next.vf, reason: next.reason))
      return
    }
    if schedulerWaits {
      schedulerWaits = false
      if reason != .exclusiveTimeout { schedule(.signalScheduler, at: now + behavior.replyDelay) }
    }
    if owner == nil { resumeScheduler() }
  }

  /// ih_irq_process: read the message, acknowledge at once, keep it in the VF's task slot (the
  /// same message again is dropped, a different one overwrites the waiting one) and schedule
  /// the work queue.
  private mutating func receive(from vf: Int) {
    let message = functions[vf].transmitBuffer[0]
    record(vf, .received(message))
    functions[vf].transmitAcknowledged = true
    if functions[vf].acknowledgeInterruptEnabled { raisedInterrupts.append((vf, 138)) }
    guard (1...5).contains(message) else {
      record(vf, .droppedRequest(message))  // acknowledged, then dropped (invalid id)
      return
    }
    if functions[vf].waitingTask == message { return }
    if let waiting = functions[vf].waitingTask { record(vf, .droppedRequest(waiting)) }
    functions[vf].waitingTask = message
    schedule(.signalScheduler, at: now + behavior.replyDelay)
  }

  /// signal_scheduler: the first waiting release and the first waiting request, in VF order,
  /// at most one of each per run; a request waits while another VF owns the GPU.
  private mutating func signalScheduler() {
    let isRelease = { (message: UInt32) in
      message == XgpuViRequest.IDH_REL_GPU_INIT_ACCESS.rawValue
        || message == XgpuViRequest.IDH_REL_GPU_FINI_ACCESS.rawValue
    }
    if let vf = functions.indices.first(where: { functions[$0].waitingTask.map(isRelease) == true }) {
      let message = functions[vf].waitingTask!
      functions[vf].waitingTask = nil
      process(message, from: vf)
    }
    if let vf = functions.indices.first(where: { functions[$0].waitingTask.map { !isRelease($0) } == true }) {
      guard owner == nil else {
        record(vf, .requestWaiting(functions[vf].waitingTask!))
        return
      }
      let message = functions[vf].waitingTask!
      functions[vf].waitingTask = nil
      process(message, from: vf)
    }
  }

  private mutating func process(_ message: UInt32, from vf: Int) {
    let faults = behavior.faults(of: vf)
    for case .garbage(let value) in faults {
      send(value, to: vf, mode: .message)
      return
    }
    let isRequest = message % 2 == 1  // REQ_* are 1, 3 and 5
    for case .ignoreRequests(let count) in faults where isRequest && functions[vf].ignoredRequests < count {
      functions[vf].ignoredRequests += 1
      record(vf, .droppedRequest(message))
      return
    }
    switch XgpuViRequest(rawValue: message) {
    case .IDH_REQ_GPU_INIT_ACCESS:
      grantAccess(to: vf, loadingVBIOS: true)
    case .IDH_REQ_GPU_RESET_ACCESS:
      if !functions[vf].inReset {
        // The host resets the VF itself, without FLR_NOTIFICATION or CMPL (host fact 2.3).
        record(vf, .silentReset)
        hardwareActions.append((vf, .functionLevelReset))
      }
      grantAccess(to: vf, loadingVBIOS: true)
    case .IDH_REQ_GPU_FINI_ACCESS:
      guard functions[vf].onRunList else {
        record(vf, .droppedRequest(message))  // not on the run list: no READY at all
        return
      }
      grantAccess(to: vf, loadingVBIOS: false)
    default:  // REL_GPU_INIT_ACCESS, REL_GPU_FINI_ACCESS
      guard owner == vf else {
        record(vf, .discardedRelease)
        return
      }
      owner = nil
      grant += 1
      functions[vf].inReset = false
      if message == XgpuViRequest.IDH_REL_GPU_FINI_ACCESS.rawValue {
        removeFromRunList(vf)
        if behavior.clearsFrameBuffer { hardwareActions.append((vf, .clearFrameBuffer)) }
      } else if behavior.scheduler == .liquid {
        // gim_init_vf_load_status: every write pointer the CP polls must lie in the VF's first
        // 256 MiB of VRAM, or the VF is dropped and its VRAM cleared.
        hardwareActions.append((vf, .checkWritePointerPlacement))
      }
      record(vf, .released)
      resumeScheduler()
    }
  }

  /// What IDLE_GPU of a VF switched out found (reported by the VF's hardware): a failed world
  /// switch resets the outgoing VF. The model's choices: IDLE fails at once with the GFX-hang
  /// status rather than after GIM's 2 s poll, and on every switch — GIM's `stop_current_vf`
  /// (a grant's switch) leaves such a VF on the run list, the model takes it off as after a
  /// timer's switch. A VF already being reset is not reset again.
  mutating func idleFailed(vf: Int) {
    if let current = worldSwitch, current.command == .idleGPU, current.from == vf {
      return idleFailed(current, outcome: .hang(status: 0x0E))
    }
    resetAfterFailedSwitch(vf, status: 0x0E)
  }

  /// The outgoing or incoming VF of a failed world switch goes down the FLR path (§3.1), unless
  /// it is on it already.
  mutating func resetAfterFailedSwitch(_ vf: Int, status: UInt8?) {
    guard !functions[vf].inReset, resetting != vf, !resetsWaiting.contains(where: { $0.vf == vf }) else { return }
    if let status { record(vf, .worldSwitchFailed(status: status)) }
    run(.resetNotice(vf: vf, reason: .hostInitiated))
  }

  /// What the liquid scheduler's check found (reported by the VF's hardware).
  mutating func writePointerPlacementRefused(vf: Int) {
    record(vf, .removedFromRunList(reason: "write pointer outside the first 256 MiB of VRAM"))
    removeFromRunList(vf)
    hardwareActions.append((vf, .clearFrameBuffer))
  }

  private mutating func grantAccess(to vf: Int, loadingVBIOS: Bool) {
    functions[vf].exclusiveSince = now
    owner = vf
    grant += 1
    // pause_scheduler + stop_current_vf: every other VF is switched out for the window; a VF
    // that comes up from INIT has no saved state to load.
    sliceGeneration += 1
    if loadingVBIOS { functions[vf].hardwareContext = [] }
    switchTo(vf, then: .grant(vf: vf, loadingVBIOS: loadingVBIOS, grant: grant))
  }

  /// The rest of a grant, once the VF is on the GPU; nothing if the grant was taken back
  /// meanwhile (a reset).
  mutating func completeGrant(to vf: Int, loadingVBIOS: Bool, grant granted: Int) {
    guard owner == vf, grant == granted else { return }
    // alloc_new_vf → load_vbios: the VBIOS image lands at the start of the VF's frame buffer.
    if loadingVBIOS { hardwareActions.append((vf, .loadVBIOS)) }
    functions[vf].onRunList = true
    record(vf, .granted)
    if let timeout = behavior.exclusiveTimeout(of: vf) {
      schedule(.exclusiveTimeout(vf: vf, grant: grant), at: functions[vf].exclusiveSince + timeout)
    }
    let faults = behavior.faults(of: vf)
    for case .resetAfterGrant(let delay, let count) in faults where functions[vf].injectedResets < count {
      functions[vf].injectedResets += 1
      schedule(.resetNotice(vf: vf, reason: .hostInitiated), at: now + delay)
    }
    for fault in faults {
      switch fault {
      case .noReady: return
      case .wrongEvent(let value):
        send(value, to: vf, mode: .message)
        return
      case .resetDuringHandshake:
        run(.resetNotice(vf: vf, reason: .hostInitiated))
        return
      default: continue
      }
    }
    send(XgpuViEvent.IDH_READY_TO_ACCESS_GPU.rawValue, to: vf, mode: .message)
  }

  private mutating func removeFromRunList(_ vf: Int) {
    functions[vf].onRunList = false
    functions[vf].hardwareContext = []
    if running == vf {
      hardwareActions.append((vf, .switchedOut))
      running = nil
    }
  }

  /// Starts the time slices again after an exclusive window.
  private mutating func resumeScheduler() {
    sliceGeneration += 1
    run(.timeSlice(generation: sliceGeneration))
  }

  /// get_scheduler_time_interval: 6 ms for a VF the mailbox started; one function alone is
  /// switched (to itself) every 500 ms.
  private func sliceLength(_ functionsOnList: Int) -> Duration {
    functionsOnList == 1 ? .milliseconds(500) : behavior.timeSlice
  }

  private mutating func send(_ message: UInt32, to vf: Int, mode: SendMode) {
    let wasValid = functions[vf].receiveValid
    switch mode {
    case .message:
      functions[vf].receiveValid = false
      functions[vf].receiveAcknowledged = false
      functions[vf].receiveBuffer[0] = message
      functions[vf].receiveValid = message != 0
    case .resetNotification:
      functions[vf].receiveBuffer[0] = message
      functions[vf].receiveValid = true
    case .resetCompletion:
      functions[vf].receiveBuffer[0] = message
    case .spurious:
      functions[vf].receiveValid = true
    }
    record(vf, .sent(message, setValid: mode != .resetCompletion))
    // Setting TRN_MSG_VALID is what interrupts the guest, if it enabled VALID_INT_EN.
    if functions[vf].receiveValid && (!wasValid || mode == .message) && functions[vf].validInterruptEnabled {
      raisedInterrupts.append((vf, 135))
    }
  }
}

/// Why the host resets a VF.
enum ResetReason: Equatable {
  /// The owner held exclusive access past the limit.
  case exclusiveTimeout
  /// Anything else: a failed world switch, a reset asked for in a test, an injected fault.
  case hostInitiated
}
