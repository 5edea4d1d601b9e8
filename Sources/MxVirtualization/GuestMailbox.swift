import MxLock
import MxMMIO
import MxMailbox
import MxRuntimeRegisters
import Synchronization

/// The guest side of the VI mailbox (`amdgpu/mxgpu_vi.c`): asks the host for exclusive access,
/// releases it, requests resets and follows host-initiated resets.
///
/// Every register access is the one the Linux driver makes, in the same order (facts 2.3–2.4), so
/// with interrupts off an MMIO trace of a handshake equals the kernel's. Waits end on the mailbox
/// interrupt (call `interruptReceived(sourceID:)` from the IRQ handler for sources 135 and 138) or
/// at the next poll step, whichever comes first; time comes from `clock`, so tests run in virtual
/// time. Operations run one at a time: concurrent callers queue.
///
/// Quirks of the kernel (facts section 7), decided:
/// 1. The kernel acts on FLR_NOTIFICATION only when `amdgpu_gpu_recovery == 0` (and then does not
///    recover). Here the notification is always handled: acknowledged, the state becomes
///    `.resetting`, completion is awaited, and the owner learns of both through `events`; what
///    to do about it is the owner's policy.
/// 2. On an acknowledgement timeout the kernel leaves TRN_MSG_VALID set, so the host (which is
///    interrupted by its 0→1 edge) never sees a later request. Here it is cleared before the
///    error is thrown. After acknowledging an event the kernel never clears RCV_MSG_ACK (the
///    hardware drops it when the host takes the acknowledgement) and only logs when RCV_MSG_VALID
///    does not drop; the same here, counted in `statistics.validNotCleared` — but a RCV_MSG_ACK
///    still set from an acknowledgement the host never took (the kernel acknowledges
///    FLR_NOTIFICATION_CMPL, which has no VALID to take) is cleared before the next one, so that
///    the host sees a rising edge.
/// 3. The host sends FLR_NOTIFICATION_CMPL without RCV_MSG_VALID; the spec says so
///    (`host-sets-valid="false"`), and events the spec marks that way are read from RCV_DW0
///    alone, exactly as the kernel does for CMPL.
///
/// Host resets at any moment, decided (docs/Mailbox.md, "Host resets"):
/// - A reset is recognised by RCV_DW0 as well as by RCV_MSG_VALID: FLR_NOTIFICATION or
///   FLR_NOTIFICATION_CMPL there, different from what the guest last read, is news even without
///   VALID. GIM takes an acknowledgement by clearing VALID, and a notice written just before it
///   loses its VALID with it; CMPL never has one. With interrupts on, the mailbox is looked at
///   again after each acknowledgement for that reason; with them off the owner's polls
///   (`pollHostMessage()`) read RCV_DW0.
/// - A request the host answers after a reset announced while it was out (GIM serves a request
///   that waited through its reset once the reset is done) is granted; one the reset ends without
///   an answer is made once more, behind a release (see `send`), since the reset may have taken a
///   grant made before the notice; a READY still in the mailbox then answered the first request
///   and is acknowledged as stale. REQ_GPU_FINI_ACCESS is not made again: the host drops the VF
///   from its run list and would not answer it.
/// - No request goes out within `configuration.spacingAfterRelease` of a release, which it could
///   overwrite in GIM's one waiting slot per VF.
/// - A release the reset overtakes, and any operation while a reset is under way, fail with a
///   typed error (`resetDuringRequest`, `resetInProgress`, `accessLost`), never with
///   `illegalTransition`.
/// - A host message that arrives while an operation runs is examined when it ends; an unexpected
///   one is acknowledged (the kernel leaves it), so that VALID drops and the next raises it again.
public actor GuestMailbox<Bus: RegisterBus & Sendable, C: Clock> where C.Duration == Duration {
  public let bus: Bus
  public let clock: C
  public let configuration: MailboxConfiguration
  public private(set) var state: AccessState = .idle
  public private(set) var statistics = MailboxStatistics()
  /// How many host resets the guest has seen: each FLR_NOTIFICATION, and each completion found
  /// without one. What was set up in the hardware before a reset is gone after it: compare the
  /// count before and after.
  public private(set) var resetCount = 0
  /// Whether the host reset the VF since it last granted access: whatever the guest set up under
  /// that grant is gone (and a release has nothing to give back).
  public var resetSinceGrant: Bool { resetCount != resetCountAtGrant }
  /// Host events outside of request/reply: resets and unexpected messages.
  public nonisolated let events: AsyncStream<MailboxEvent>

  private let eventSink: AsyncStream<MailboxEvent>.Continuation
  private let received = InterruptSignal()
  private let acknowledged = InterruptSignal()
  private let interruptsOn = Atomic<Bool>(false)
  private let operationRunning = Atomic<Bool>(false)
  /// Set by the receive interrupt, cleared whenever the mailbox is examined.
  private let messagePending = Atomic<Bool>(false)
  private var queue: [CheckedContinuation<Void, Never>] = []
  /// RCV_DW0 as the guest last read it; nil before the first look.
  private var lastMessage: UInt32?
  /// `resetCount` at the last grant.
  private var resetCountAtGrant = 0
  /// `resetCount` when a task last began to wait for a completion nobody else awaits.
  private var resetWatched = 0
  /// When the host acknowledged the last release: the next request waits
  /// `configuration.spacingAfterRelease` after it.
  private var lastRelease: C.Instant?
  /// The request whose last asking went unanswered (`noReply`), until an answer comes.
  private var unanswered: XgpuViRequest?

  /// Where the tasks the mailbox starts itself run (an interrupt serviced while no operation
  /// waits, a reset completion awaited); nil: the global concurrent executor.
  public nonisolated let taskExecutor: (any TaskExecutor)?

  public init(
    bus: Bus, clock: C, configuration: MailboxConfiguration = MailboxConfiguration(),
    taskExecutor: (any TaskExecutor)? = nil
  ) {
    self.bus = bus
    self.clock = clock
    self.configuration = configuration
    self.taskExecutor = taskExecutor
    (events, eventSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(64))
  }

  // MARK: Operations

  /// REQ_GPU_INIT_ACCESS (`.initialization`) or REQ_GPU_FINI_ACCESS (`.teardown`); waits for
  /// READY_TO_ACCESS_GPU.
  public func requestFullAccess(_ phase: AccessPhase = .initialization) async throws(MailboxError) {
    try await perform(.requestFullAccess(phase))
  }

  /// REL_GPU_INIT_ACCESS or REL_GPU_FINI_ACCESS; acknowledged, never answered.
  public func releaseFullAccess(_ phase: AccessPhase = .initialization) async throws(MailboxError) {
    try await perform(.releaseFullAccess(phase))
  }

  /// REQ_GPU_RESET_ACCESS (guest-detected hang); waits for READY_TO_ACCESS_GPU.
  public func requestReset() async throws(MailboxError) {
    try await perform(.requestReset)
  }

  /// Waits for FLR_NOTIFICATION_CMPL (the kernel's `wait_reset`); allowed in any state, leaves
  /// the guest `.idle`.
  public func waitForResetCompletion() async throws(MailboxError) {
    await acquire()
    defer { release() }
    try await awaitResetCompletion()
  }

  /// Waits until a host reset under way (`.resetting`) completes; returns at once when none is.
  /// With interrupts off, call `pollHostMessage()` first to notice one.
  public func waitOutReset() async throws(MailboxError) {
    await acquire()
    defer { release() }
    guard state == .resetting else { return }
    try await awaitResetCompletion()
  }

  /// Enables the mailbox interrupts: VALID_INT_EN, then ACK_INT_EN (xgpu_vi_mailbox_get_irq).
  public func enableInterrupts() async {
    await acquire()
    defer { release() }
    bus.modify(MAILBOX_INT_CNTL.self) { $0[MAILBOX_INT_CNTL.VALID_INT_EN] = true }
    bus.modify(MAILBOX_INT_CNTL.self) { $0[MAILBOX_INT_CNTL.ACK_INT_EN] = true }
    interruptsOn.store(true, ordering: .sequentiallyConsistent)
  }

  /// Disables them in the reverse order (xgpu_vi_mailbox_put_irq).
  public func disableInterrupts() async {
    await acquire()
    defer { release() }
    interruptsOn.store(false, ordering: .sequentiallyConsistent)
    bus.modify(MAILBOX_INT_CNTL.self) { $0[MAILBOX_INT_CNTL.ACK_INT_EN] = false }
    bus.modify(MAILBOX_INT_CNTL.self) { $0[MAILBOX_INT_CNTL.VALID_INT_EN] = false }
  }

  /// The IRQ handler's entry point: source 135 (host message valid) or 138 (host acknowledged).
  /// A valid message that no operation is waiting for is examined afterwards: a reset is
  /// followed, anything else reported as `.unexpectedMessage`.
  public nonisolated func interruptReceived(sourceID: UInt32) {
    if sourceID == configuration.acknowledgeInterruptSource {
      acknowledged.signal()
    } else if sourceID == configuration.receiveInterruptSource {
      messagePending.store(true, ordering: .sequentiallyConsistent)
      received.signal()
      if !operationRunning.load(ordering: .sequentiallyConsistent) {
        Task(executorPreference: taskExecutor) { await self.serviceInterrupt() }
      }
    }
  }

  /// Looks at the mailbox as the receive interrupt would (two MMIO reads when nothing is there):
  /// for a guest whose interrupts are still off — the driver enables them only at the end of
  /// init — this is how a host reset during exclusive work is noticed. The state is `.resetting`
  /// afterwards if a reset was announced, `.idle` if one was found complete.
  public func pollHostMessage() async {
    await acquire()
    defer { release() }
    _ = await examine(awaiting: nil)
  }

  // MARK: The handshake (xgpu_vi_send_access_requests)

  private func perform(_ operation: MailboxOperation) async throws(MailboxError) {
    await acquire()
    defer { release() }
    guard state != .resetting else { throw .resetInProgress }
    if case .releaseFullAccess = operation, state == .idle, resetSinceGrant { throw .accessLost }
    let next = try permit(operation)
    try await send(operation.message)
    if case .exclusive = next { resetCountAtGrant = resetCount }
    state = next
  }

  private func send(_ request: XgpuViRequest) async throws(MailboxError) {
    let timeout = request.timeout ?? configuration.defaultTimeout
    let poll = request.pollInterval ?? configuration.defaultPoll
    if request.reply != nil, unanswered == request {
      // Asked again after no answer: it may still wait in the VF's one task slot at the host,
      // which drops the same message again without running its work, and nothing else runs it
      // after another VF's exclusive-time limit (pf-host-facts 2.1, 2.7; mismatch 5).
      statistics.requestsKicked += 1
      try await transmitBehindRelease(request, timeout: timeout, poll: poll)
    } else {
      try await transmit(request, timeout: timeout, poll: poll)
    }
    guard let reply = request.reply else {
      // A release is acknowledged, never answered; a reset announced meanwhile overtakes it.
      if messagePending.load(ordering: .sequentiallyConsistent) { _ = await examine(awaiting: nil) }
      if state == .resetting { throw .resetDuringRequest(request) }
      return
    }
    var repeated = false
    while true {
      switch await receive(reply, timeout: timeout, poll: poll) {
      case .received:
        unanswered = nil
        // The answer came, and then the host began a reset: the grant goes with it.
        if state != .resetting { return }
      case .timedOut(let lastSeen):
        if state == .resetting { throw .resetNotCompleted }
        unanswered = request
        throw .noReply(request, expected: reply, lastSeen: lastSeen)
      case .resetCompleted:
        guard request != .IDH_REQ_GPU_FINI_ACCESS, !repeated else { throw .resetDuringRequest(request) }
        repeated = true
        statistics.requestsRepeated += 1
        // The request may still wait at the host, where nothing runs the work again after the
        // exclusive-time limit; and the host may still count the VF as the owner (GIM's
        // monitor reset leaves it so).
        try await transmitBehindRelease(request, timeout: timeout, poll: poll)
      }
    }
  }

  /// `request` again, behind REL_GPU_INIT_ACCESS. The same message still waiting in the VF's task
  /// slot at the host is dropped without running the host's work; a different one overwrites it
  /// and runs it. The release is that different message: it gives back whatever the host counts
  /// as the VF's (from a VF that owns nothing GIM discards it, logged), and the request follows.
  ///
  /// The host may have served the request meanwhile, before the release took the grant back:
  /// that READY is still in the mailbox, VALID, when the request goes out again, and taken for
  /// the new answer it would let the guest build before the host's grant (and its reset of the
  /// VF, for a reset request) wipes the work. It is acknowledged first, as the stale message it is.
  private func transmitBehindRelease(_ request: XgpuViRequest, timeout: Duration, poll: Duration)
    async throws(MailboxError)
  {
    let release = XgpuViRequest.IDH_REL_GPU_INIT_ACCESS
    try await transmit(release, timeout: release.timeout ?? timeout, poll: release.pollInterval ?? poll)
    try await transmit(request, timeout: timeout, poll: poll, discardingStaleMessage: true)
  }

  /// trans_msg and poll_ack: the request in TRN_DW0, TRN_MSG_VALID raised, the host's
  /// acknowledgement (TRN_MSG_ACK) awaited, TRN_MSG_VALID lowered. With
  /// `discardingStaleMessage`, a valid message already in the mailbox once the request may go
  /// is examined (and so acknowledged) first: it cannot be the answer to a request not yet sent.
  private func transmit(
    _ request: XgpuViRequest, timeout: Duration, poll: Duration, discardingStaleMessage: Bool = false
  ) async throws(MailboxError) {
    let releases = request.reply == nil
    if !releases, let lastRelease {
      try? await clock.sleep(until: lastRelease.advanced(by: configuration.spacingAfterRelease), tolerance: nil)
    }
    if discardingStaleMessage, bus.read(MAILBOX_CONTROL.self)[MAILBOX_CONTROL.RCV_MSG_VALID] {
      _ = await examine(awaiting: nil)
      if state == .resetting { throw .resetDuringRequest(request) }
    }
    acknowledged.drain()
    bus.modify(MAILBOX_MSGBUF_TRN_DW0.self) { $0[MAILBOX_MSGBUF_TRN_DW0.MSGBUF_DATA] = request.rawValue }
    bus.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = true }
    let deadline = clock.now.advanced(by: timeout)
    while !bus.read(MAILBOX_CONTROL.self)[MAILBOX_CONTROL.TRN_MSG_ACK] {
      if clock.now >= deadline {
        bus.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = false }  // quirk 2
        throw .noAcknowledgement(request)
      }
      await wait(for: acknowledged, poll: poll, deadline: deadline)
    }
    bus.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = false }
    if releases { lastRelease = clock.now }
  }

  private enum Reception {
    case received
    case timedOut(lastSeen: UInt32?)
    /// A host reset came and completed before the awaited event.
    case resetCompleted
  }

  /// poll_msg: waits for `event`, following any reset the host announces meanwhile. A reset
  /// announced during the wait gets the completion's own budget from then on: the time it takes
  /// is the host's, not the answer's.
  private func receive(_ event: XgpuViEvent, timeout: Duration, poll: Duration) async -> Reception {
    var deadline = clock.now.advanced(by: timeout)
    var lastSeen: UInt32?
    let resetsBefore = resetCount
    var resetsSeen = resetCount
    while true {
      let finding = await examine(awaiting: event)
      if resetCount != resetsSeen, resetCount != resetsBefore || event != .IDH_FLR_NOTIFICATION_CMPL {
        resetsSeen = resetCount
        let completion = XgpuViEvent.IDH_FLR_NOTIFICATION_CMPL.timeout ?? configuration.defaultTimeout
        deadline = max(deadline, clock.now.advanced(by: completion))
      }
      switch finding {
      case .awaited: return .received
      case .resetCompleted: return event == .IDH_FLR_NOTIFICATION_CMPL ? .received : .resetCompleted
      case .unexpected(let message): lastSeen = message
      case .nothing: break
      }
      if clock.now >= deadline { return .timedOut(lastSeen: lastSeen) }
      await wait(for: received, poll: poll, deadline: deadline)
    }
  }

  // MARK: Examining the mailbox

  /// What a look at the mailbox found.
  private enum Finding {
    /// The awaited event, acknowledged.
    case awaited
    /// A host reset's completion (announced before, or found whole now).
    case resetCompleted
    /// A valid message that is neither, acknowledged and reported.
    case unexpected(UInt32)
    /// Nothing new, or a reset announced (`state` is `.resetting` then).
    case nothing
  }

  /// Looks at the mailbox and deals with what is new: the awaited event, a reset announced or
  /// completed, or an unexpected message. Looks again at once when an acknowledgement may have
  /// taken a newer message's VALID with it; the first finding is what counts.
  private func examine(awaiting event: XgpuViEvent?) async -> Finding {
    messagePending.store(false, ordering: .sequentiallyConsistent)
    var (finding, again) = await look(awaiting: event, completing: true)
    while again {
      // After the awaited event only a newly announced reset matters: it voids a grant.
      let (next, more) = await look(awaiting: nil, completing: !isAwaited(finding))
      if case .nothing = finding { finding = next }
      again = more
    }
    return finding
  }

  private func isAwaited(_ finding: Finding) -> Bool {
    if case .awaited = finding { true } else { false }
  }

  /// One look: RCV_MSG_VALID and RCV_DW0 as the kernel reads them for `event` (RCV_DW0 only under
  /// VALID while it waits for a reply, RCV_DW0 alone for CMPL), both otherwise. Returns what it
  /// found and whether to look again.
  private func look(awaiting event: XgpuViEvent?, completing: Bool) async -> (Finding, again: Bool) {
    let resetting = state == .resetting
    let waitingForCompletion = event == .IDH_FLR_NOTIFICATION_CMPL
    var valid: Bool?
    if !waitingForCompletion {
      valid = bus.read(MAILBOX_CONTROL.self)[MAILBOX_CONTROL.RCV_MSG_VALID]
      if valid == false, event != nil, !resetting { return (.nothing, false) }
    }
    let message = bus.read(MAILBOX_MSGBUF_RCV_DW0.self)[MAILBOX_MSGBUF_RCV_DW0.MSGBUF_DATA]
    if waitingForCompletion, message == XgpuViEvent.IDH_FLR_NOTIFICATION.rawValue, !resetting {
      valid = bus.read(MAILBOX_CONTROL.self)[MAILBOX_CONTROL.RCV_MSG_VALID]
    }
    let previous = lastMessage
    lastMessage = message
    // Before the first look the guest cannot tell an old message from a new one without VALID.
    let news = valid == true || (previous != nil && previous != message)

    switch XgpuViEvent(rawValue: message) {
    case .IDH_READY_TO_ACCESS_GPU? where event == .IDH_READY_TO_ACCESS_GPU && valid == true:
      let again = await acknowledge()
      // GIM serves a request that waited through its reset only when the reset is done.
      if resetting { completeReset() }
      return (.awaited, again)
    case .IDH_FLR_NOTIFICATION? where news:
      let again = valid == true ? await acknowledge() : false
      // A notice with VALID while resetting is a further reset whose completion went unseen.
      if !resetting || valid == true { announceReset() }
      return (.nothing, again)
    case .IDH_FLR_NOTIFICATION_CMPL? where news || (waitingForCompletion && resetting):
      guard completing else {
        lastMessage = previous  // seen again, and completed, on the next look
        announceReset()
        return (.nothing, false)
      }
      // The kernel acknowledges CMPL too; VALID is set only if the notice's was never taken.
      let again = await acknowledge()
      if !resetting { announceReset() }  // found complete: the notice went unseen
      completeReset()
      return (.resetCompleted, again)
    default:
      guard valid == true, !waitingForCompletion else { return (.nothing, false) }
      statistics.unexpectedMessages += 1
      eventSink.yield(.unexpectedMessage(message))
      return (.unexpected(message), await acknowledge())
    }
  }

  /// send_ack: RCV_MSG_ACK = 1, then wait (1 ms steps) for the host to take it, which drops
  /// RCV_MSG_VALID. Returns whether to look at the mailbox again: when the host took it and VALID
  /// is already a newer message's (RCV_MSG_ACK dropped under it), and — with interrupts on, where
  /// no poll follows — always, since GIM's taking can clear the VALID of a notice written meanwhile.
  private func acknowledge() async -> Bool {
    var control = bus.read(MAILBOX_CONTROL.self)
    if control[MAILBOX_CONTROL.RCV_MSG_ACK] {
      control[MAILBOX_CONTROL.RCV_MSG_ACK] = false  // quirk 2: the host sees only a rising edge
      bus.write(control)
    }
    control[MAILBOX_CONTROL.RCV_MSG_ACK] = true
    bus.write(control)
    let interrupts = interruptsOn.load(ordering: .sequentiallyConsistent)
    let deadline = clock.now.advanced(by: configuration.acknowledgeClearTimeout)
    let poll = interrupts ? configuration.acknowledgeClearPollWithInterrupts : configuration.acknowledgeClearPoll
    while true {
      let now = bus.read(MAILBOX_CONTROL.self)
      if !now[MAILBOX_CONTROL.RCV_MSG_VALID] { return interrupts }
      if !now[MAILBOX_CONTROL.RCV_MSG_ACK] { return true }
      if clock.now >= deadline {
        statistics.validNotCleared += 1  // quirk 2: the kernel logs and carries on
        return interrupts
      }
      try? await clock.sleep(until: min(clock.now.advanced(by: poll), deadline), tolerance: nil)
    }
  }

  // MARK: Host-initiated reset

  /// The host announced a reset: nothing may touch the hardware until it completes.
  private func announceReset() {
    state = .resetting
    resetCount += 1
    eventSink.yield(.resetAnnounced)
  }

  /// The host reported its reset done: the VF must ask for initialisation access again.
  private func completeReset() {
    state = .idle
    eventSink.yield(.resetCompleted)
  }

  private func awaitResetCompletion() async throws(MailboxError) {
    let event = XgpuViEvent.IDH_FLR_NOTIFICATION_CMPL
    let result = await receive(
      event, timeout: event.timeout ?? configuration.defaultTimeout,
      poll: event.pollInterval ?? configuration.defaultPoll)
    guard case .received = result else {
      eventSink.yield(.resetTimedOut)
      throw .resetNotCompleted
    }
  }

  /// A host message arrived while no operation was waiting (xgpu_vi_mailbox_rcv_irq).
  private func serviceInterrupt() async {
    await acquire()
    defer { release() }
    guard messagePending.load(ordering: .sequentiallyConsistent) else { return }
    _ = await examine(awaiting: nil)
  }

  /// Waits for the completion of a reset that no operation is waiting out (like the kernel's
  /// flr_work), once per reset.
  private func watchReset() async {
    await acquire()
    defer { release() }
    guard state == .resetting else { return }
    try? await awaitResetCompletion()
  }

  // MARK: Waiting and serialisation

  /// Sleeps until the next poll step or the deadline; with interrupts on, an interrupt ends the
  /// sleep early.
  private func wait(for signal: InterruptSignal, poll: Duration, deadline: C.Instant) async {
    let wake = min(clock.now.advanced(by: poll), deadline)
    guard interruptsOn.load(ordering: .sequentiallyConsistent) else {
      try? await clock.sleep(until: wake, tolerance: nil)
      return
    }
    let clock = self.clock
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await signal.next() }
      group.addTask { try? await clock.sleep(until: wake, tolerance: nil) }
      await group.next()
      group.cancelAll()
    }
  }

  /// The state `operation` leads to, or the error that refuses it.
  private func permit(_ operation: MailboxOperation) throws(MailboxError) -> AccessState {
    guard let next = state.after(operation) else {
      throw .illegalTransition(from: state, operation: operation)
    }
    return next
  }

  /// Waits until no other operation runs; operations run in the order they asked.
  private func acquire() async {
    if operationRunning.load(ordering: .sequentiallyConsistent) || !queue.isEmpty {
      await withCheckedContinuation { queue.append($0) }
    }
    operationRunning.store(true, ordering: .sequentiallyConsistent)
  }

  /// Hands the mailbox to the next operation; with none waiting, what the last one left behind
  /// is taken up: a reset nobody waits out, a message that arrived while it ran.
  private func release() {
    guard queue.isEmpty else { return queue.removeFirst().resume() }
    operationRunning.store(false, ordering: .sequentiallyConsistent)
    if state == .resetting && resetWatched != resetCount {
      resetWatched = resetCount
      Task(executorPreference: taskExecutor) { await self.watchReset() }
    } else if messagePending.load(ordering: .sequentiallyConsistent) {
      Task(executorPreference: taskExecutor) { await self.serviceInterrupt() }
    }
  }
}
