import MxBIF50
import MxMMIO
import MxMailbox
import Synchronization

/// The guest side of the VI mailbox (`amdgpu/mxgpu_vi.c`): asks the host for exclusive access,
/// releases it, requests resets and follows host-initiated resets.
///
/// Every register access is the one the Linux driver makes, in the same order (facts 2.3–2.4), so
/// with interrupts off an MMIO trace equals the kernel's. Waits end on the mailbox interrupt
/// (call `interruptReceived(sourceID:)` from the IRQ handler for sources 135 and 138) or at the
/// next poll step, whichever comes first; time comes from `clock`, so tests run in virtual time.
/// Operations run one at a time: concurrent callers queue.
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
///    does not drop; the same here, counted in `statistics.validNotCleared`.
/// 3. The host sends FLR_NOTIFICATION_CMPL without RCV_MSG_VALID; the spec says so
///    (`host-sets-valid="false"`), and events the spec marks that way are read from RCV_DW0
///    alone, exactly as the kernel does for CMPL.
public actor GuestMailbox<Bus: RegisterBus & Sendable, C: Clock> where C.Duration == Duration {
  public let bus: Bus
  public let clock: C
  public let configuration: MailboxConfiguration
  public private(set) var state: AccessState = .idle
  public private(set) var statistics = MailboxStatistics()
  /// Host events outside of request/reply: resets and unexpected messages.
  public nonisolated let events: AsyncStream<MailboxEvent>

  private let eventSink: AsyncStream<MailboxEvent>.Continuation
  private let received = InterruptSignal()
  private let acknowledged = InterruptSignal()
  private let interruptsOn = Atomic<Bool>(false)
  private let operationRunning = Atomic<Bool>(false)
  private var queue: [CheckedContinuation<Void, Never>] = []

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
    await acquire()
    defer { release() }
    let next = try permit(.requestFullAccess(phase))
    try await send(phase.request)
    state = next
  }

  /// REL_GPU_INIT_ACCESS or REL_GPU_FINI_ACCESS; acknowledged, never answered.
  public func releaseFullAccess(_ phase: AccessPhase = .initialization) async throws(MailboxError) {
    await acquire()
    defer { release() }
    let next = try permit(.releaseFullAccess(phase))
    try await send(phase.release)
    state = next
  }

  /// REQ_GPU_RESET_ACCESS (guest-detected hang); waits for READY_TO_ACCESS_GPU.
  public func requestReset() async throws(MailboxError) {
    await acquire()
    defer { release() }
    let next = try permit(.requestReset)
    try await send(.IDH_REQ_GPU_RESET_ACCESS)
    state = next
  }

  /// Waits for FLR_NOTIFICATION_CMPL (the kernel's `wait_reset`); allowed in any state, leaves
  /// the guest `.idle`.
  public func waitForResetCompletion() async throws(MailboxError) {
    await acquire()
    defer { release() }
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
  /// A valid message that no operation is waiting for is examined afterwards: an FLR
  /// notification is handled, anything else reported as `.unexpectedMessage`.
  public nonisolated func interruptReceived(sourceID: UInt32) {
    if sourceID == configuration.acknowledgeInterruptSource {
      acknowledged.signal()
    } else if sourceID == configuration.receiveInterruptSource {
      received.signal()
      if !operationRunning.load(ordering: .sequentiallyConsistent) {
        Task(executorPreference: taskExecutor) { await self.serviceIdleInterrupt() }
      }
    }
  }

  // MARK: The handshake (xgpu_vi_send_access_requests)

  private func send(_ request: XgpuViRequest) async throws(MailboxError) {
    let timeout = request.timeout ?? configuration.defaultTimeout
    let poll = request.pollInterval ?? configuration.defaultPoll
    // trans_msg: the request in TRN_DW0, then TRN_MSG_VALID.
    acknowledged.drain()
    bus.modify(MAILBOX_MSGBUF_TRN_DW0.self) { $0[MAILBOX_MSGBUF_TRN_DW0.MSGBUF_DATA] = request.rawValue }
    bus.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = true }
    // poll_ack.
    let deadline = clock.now.advanced(by: timeout)
    while !bus.read(MAILBOX_CONTROL.self)[MAILBOX_CONTROL.TRN_MSG_ACK] {
      if clock.now >= deadline {
        bus.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = false }  // quirk 2
        throw .noAcknowledgement(request)
      }
      await wait(for: acknowledged, poll: poll, deadline: deadline)
    }
    bus.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = false }
    guard let reply = request.reply else { return }
    switch await receive(reply, timeout: timeout, poll: poll) {
    case .received: return
    case .timedOut(let lastSeen): throw .noReply(request, expected: reply, lastSeen: lastSeen)
    case .resetAnnounced: throw .resetDuringRequest(request)
    }
  }

  private enum Reception {
    case received
    case timedOut(lastSeen: UInt32?)
    case resetAnnounced
  }

  /// poll_msg: waits for `event` in RCV_DW0 (with RCV_MSG_VALID, unless the host never sets it
  /// for this event), then acknowledges it. An FLR notification seen instead is acknowledged
  /// and announced; it ends a wait for a reply. Other messages are reported once each.
  private func receive(_ event: XgpuViEvent, timeout: Duration, poll: Duration) async -> Reception {
    let deadline = clock.now.advanced(by: timeout)
    var lastSeen: UInt32?
    while true {
      let valid: Bool? = event.hostSetsValid ? bus.read(MAILBOX_CONTROL.self)[MAILBOX_CONTROL.RCV_MSG_VALID] : nil
      if valid != false {
        let message = bus.read(MAILBOX_MSGBUF_RCV_DW0.self)[MAILBOX_MSGBUF_RCV_DW0.MSGBUF_DATA]
        if message == event.rawValue {
          await acknowledgeReceipt()
          return .received
        }
        if message == XgpuViEvent.IDH_FLR_NOTIFICATION.rawValue, state != .resetting,
          valid ?? bus.read(MAILBOX_CONTROL.self)[MAILBOX_CONTROL.RCV_MSG_VALID]
        {
          await acknowledgeReceipt()
          announceReset(awaitingCompletion: event != .IDH_FLR_NOTIFICATION_CMPL)
          if event != .IDH_FLR_NOTIFICATION_CMPL { return .resetAnnounced }
        } else if valid == true, message != lastSeen {
          lastSeen = message
          reportUnexpected(message)
        }
      }
      if clock.now >= deadline { return .timedOut(lastSeen: lastSeen) }
      await wait(for: received, poll: poll, deadline: deadline)
    }
  }

  /// send_ack: RCV_MSG_ACK = 1, then wait (1 ms steps) for RCV_MSG_VALID to drop.
  private func acknowledgeReceipt() async {
    bus.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.RCV_MSG_ACK] = true }
    let deadline = clock.now.advanced(by: configuration.acknowledgeClearTimeout)
    let poll =
      interruptsOn.load(ordering: .sequentiallyConsistent)
      ? configuration.acknowledgeClearPollWithInterrupts : configuration.acknowledgeClearPoll
    while bus.read(MAILBOX_CONTROL.self)[MAILBOX_CONTROL.RCV_MSG_VALID] {
      if clock.now >= deadline {
        statistics.validNotCleared += 1  // quirk 2: the kernel logs and carries on
        return
      }
      try? await clock.sleep(until: min(clock.now.advanced(by: poll), deadline), tolerance: nil)
    }
  }

  // MARK: Host-initiated reset

  /// The host announced a reset: nothing may touch the hardware until it completes, which is
  /// awaited (like the kernel's flr_work) unless the caller is already waiting for it.
  private func announceReset(awaitingCompletion: Bool = true) {
    state = .resetting
    eventSink.yield(.resetAnnounced)
    if awaitingCompletion { Task(executorPreference: taskExecutor) { try? await self.waitForResetCompletion() } }
  }

  private func reportUnexpected(_ message: UInt32) {
    statistics.unexpectedMessages += 1
    eventSink.yield(.unexpectedMessage(message))
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
    if state != .idle {
      state = .idle
      eventSink.yield(.resetCompleted)
    }
  }

  /// Looks at the mailbox as the receive interrupt would (one MMIO read when nothing is there):
  /// for a guest whose interrupts are still off — the driver enables them only at the end of
  /// init — this is how an FLR notification during exclusive work is noticed. The state is
  /// `.resetting` afterwards if one was there.
  public func pollHostMessage() async {
    await serviceIdleInterrupt()
  }

  /// A host message arrived while no operation was waiting (xgpu_vi_mailbox_rcv_irq).
  private func serviceIdleInterrupt() async {
    await acquire()
    defer { release() }
    guard bus.read(MAILBOX_CONTROL.self)[MAILBOX_CONTROL.RCV_MSG_VALID] else { return }
    let message = bus.read(MAILBOX_MSGBUF_RCV_DW0.self)[MAILBOX_MSGBUF_RCV_DW0.MSGBUF_DATA]
    if message == XgpuViEvent.IDH_FLR_NOTIFICATION.rawValue {
      guard state != .resetting else { return }
      await acknowledgeReceipt()
      announceReset()
    } else if message == XgpuViEvent.IDH_FLR_NOTIFICATION_CMPL.rawValue, state != .idle {
      // Host mismatch 1: GIM leaves RCV_MSG_VALID set from the notification when it writes the
      // completion, so a guest that did not see the notification (interrupts off, polling
      // later) finds a finished reset: both are reported.
      await acknowledgeReceipt()
      if state != .resetting { eventSink.yield(.resetAnnounced) }
      state = .idle
      eventSink.yield(.resetCompleted)
    } else {
      reportUnexpected(message)
    }
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

  private func release() {
    if queue.isEmpty {
      operationRunning.store(false, ordering: .sequentiallyConsistent)
    } else {
      queue.removeFirst().resume()
    }
  }
}
