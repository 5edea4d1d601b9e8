import MxBIF50
import MxMMIO
import MxMailbox

/// Everything a `MailboxSimulation` holds: the VF's registers, the mailbox as the VF sees it, the
/// host agent's state and the queue of scheduled host actions.
struct SimulationState {
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
    case hostReceives
    case hostProcesses(UInt32)
    case hostSends(UInt32, mode: SendMode)
    case hostTakesAcknowledgement
    case exclusiveTimeout(grant: Int)
    case resetNotice
    case resetDone
  }

  struct Event {
    var time: Duration
    var sequence: Int
    var action: Action
  }

  let behavior: HostBehavior
  /// Virtual time, or — in real-time mode — the wall-clock time since `realTimeStart`, brought
  /// up to date before every access and event.
  var now: Duration = .zero
  var realTimeStart: ContinuousClock.Instant?
  var trace: [BusAccess] = []
  var log: [HostLogEntry] = []
  private var events: [Event] = []
  private var sequence = 0
  private var raisedInterrupts: [UInt32] = []

  // Registers outside the mailbox: plain memory, with the VF identity preset.
  private var registers: [UInt32: UInt32] = [BIF_IOV_FUNC_IDENTIFIER.info.offset: 0x8000_0001]
  // The mailbox as the VF sees it. TRN_* is guest → host, RCV_* host → guest.
  private var transmitBuffer: [UInt32] = [0, 0, 0, 0]
  private var receiveBuffer: [UInt32] = [0, 0, 0, 0]
  private var transmitValid = false
  private var transmitAcknowledged = false
  private var receiveValid = false
  private var receiveAcknowledged = false
  private var validInterruptEnabled = false
  private var acknowledgeInterruptEnabled = false
  // GIM's view of this VF.
  private(set) var ownsGPU = false
  private var onRunList = false
  private var grant = 0
  private var requestReceivedAt: Duration = .zero

  init(behavior: HostBehavior) {
    self.behavior = behavior
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

  mutating func popEvent(dueBy deadline: Duration) -> Event? {
    guard
      let index = events.indices.min(by: {
        (events[$0].time, events[$0].sequence) < (events[$1].time, events[$1].sequence)
      }),
      events[index].time <= deadline
    else { return nil }
    return events.remove(at: index)
  }

  mutating func takeRaisedInterrupts() -> [UInt32] {
    defer { raisedInterrupts.removeAll() }
    return raisedInterrupts
  }

  // MARK: The VF's registers

  func read(_ offset: UInt32) -> UInt32 {
    switch offset {
    case MAILBOX_CONTROL.info.offset:
      var value = RegisterValue<MAILBOX_CONTROL>(rawValue: 0)
      value[MAILBOX_CONTROL.TRN_MSG_VALID] = transmitValid
      value[MAILBOX_CONTROL.TRN_MSG_ACK] = transmitAcknowledged
      value[MAILBOX_CONTROL.RCV_MSG_VALID] = receiveValid
      value[MAILBOX_CONTROL.RCV_MSG_ACK] = receiveAcknowledged
      return value.rawValue
    case MAILBOX_INT_CNTL.info.offset:
      var value = RegisterValue<MAILBOX_INT_CNTL>(rawValue: 0)
      value[MAILBOX_INT_CNTL.VALID_INT_EN] = validInterruptEnabled
      value[MAILBOX_INT_CNTL.ACK_INT_EN] = acknowledgeInterruptEnabled
      return value.rawValue
    case MAILBOX_MSGBUF_TRN_DW0.info.offset...MAILBOX_MSGBUF_TRN_DW3.info.offset:
      return transmitBuffer[Int(offset - MAILBOX_MSGBUF_TRN_DW0.info.offset)]
    case MAILBOX_MSGBUF_RCV_DW0.info.offset...MAILBOX_MSGBUF_RCV_DW3.info.offset:
      return receiveBuffer[Int(offset - MAILBOX_MSGBUF_RCV_DW0.info.offset)]
    default:
      return registers[offset] ?? 0
    }
  }

  mutating func write(_ value: UInt32, at offset: UInt32) {
    switch offset {
    case MAILBOX_CONTROL.info.offset:
      // The VF owns TRN_MSG_VALID and RCV_MSG_ACK; TRN_MSG_ACK and RCV_MSG_VALID are the host's.
      let control = RegisterValue<MAILBOX_CONTROL>(rawValue: value)
      let valid = control[MAILBOX_CONTROL.TRN_MSG_VALID]
      if valid && !transmitValid {
        transmitValid = true
        if let delay = acknowledgeDelay { schedule(.hostReceives, at: now + delay) }
      } else if !valid && transmitValid {
        // The hardware drops the host's acknowledgement when the VF withdraws its message.
        transmitValid = false
        transmitAcknowledged = false
      }
      let acknowledge = control[MAILBOX_CONTROL.RCV_MSG_ACK]
      if acknowledge && !receiveAcknowledged && receiveValid {
        schedule(.hostTakesAcknowledgement, at: now + behavior.takeAcknowledgementDelay)
      }
      receiveAcknowledged = acknowledge
    case MAILBOX_INT_CNTL.info.offset:
      let control = RegisterValue<MAILBOX_INT_CNTL>(rawValue: value)
      validInterruptEnabled = control[MAILBOX_INT_CNTL.VALID_INT_EN]
      acknowledgeInterruptEnabled = control[MAILBOX_INT_CNTL.ACK_INT_EN]
    case MAILBOX_MSGBUF_TRN_DW0.info.offset...MAILBOX_MSGBUF_TRN_DW3.info.offset:
      transmitBuffer[Int(offset - MAILBOX_MSGBUF_TRN_DW0.info.offset)] = value
    case MAILBOX_MSGBUF_RCV_DW0.info.offset...MAILBOX_MSGBUF_RCV_DW3.info.offset:
      break  // written only by the host
    default:
      registers[offset] = value
    }
  }

  private var acknowledgeDelay: Duration? {
    for fault in behavior.faults {
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
    case .hostReceives:
      // ih_irq_process: read the message, acknowledge at once, process in the work queue.
      let message = transmitBuffer[0]
      log.append(.received(message))
      requestReceivedAt = now
      transmitAcknowledged = true
      if acknowledgeInterruptEnabled { raisedInterrupts.append(138) }
      schedule(.hostProcesses(message), at: now + behavior.replyDelay)
    case .hostProcesses(let message):
      process(message)
    case .hostSends(let message, let mode):
      send(message, mode: mode)
    case .hostTakesAcknowledgement:
      // The host clears its TRN_MSG_VALID; the hardware drops the VF's acknowledgement with it.
      receiveValid = false
      receiveAcknowledged = false
    case .exclusiveTimeout(let timedGrant):
      guard timedGrant == grant, ownsGPU else { return }
      log.append(.exclusiveTimeout)
      run(.resetNotice)
    case .resetNotice:
      log.append(.resetStarted)
      send(XgpuViEvent.IDH_FLR_NOTIFICATION.rawValue, mode: .resetNotification)
      schedule(.resetDone, at: now + behavior.resetNotice + behavior.resetDuration)
    case .resetDone:
      send(XgpuViEvent.IDH_FLR_NOTIFICATION_CMPL.rawValue, mode: .resetCompletion)
      ownsGPU = false
      onRunList = false
      grant += 1
      log.append(.resetCompleted)
    }
  }

  /// signal_scheduler / handle_req_* / handle_rel_*.
  private mutating func process(_ message: UInt32) {
    if case .garbage(let value) = behavior.faults.first(where: { if case .garbage = $0 { true } else { false } }) {
      send(value, mode: .message)
      return
    }
    switch XgpuViRequest(rawValue: message) {
    case .IDH_REQ_GPU_INIT_ACCESS, .IDH_REQ_GPU_RESET_ACCESS:
      grantAccess()
    case .IDH_REQ_GPU_FINI_ACCESS:
      guard onRunList else {
        log.append(.droppedRequest(message))  // not on the run list: no READY at all
        return
      }
      grantAccess()
    case .IDH_REL_GPU_INIT_ACCESS, .IDH_REL_GPU_FINI_ACCESS:
      guard ownsGPU else {
        log.append(.discardedRelease)
        return
      }
      ownsGPU = false
      grant += 1
      if message == XgpuViRequest.IDH_REL_GPU_FINI_ACCESS.rawValue { onRunList = false }
      log.append(.released)
    default:
      log.append(.droppedRequest(message))  // acknowledged, then dropped (invalid id)
    }
  }

  private mutating func grantAccess() {
    ownsGPU = true
    onRunList = true
    grant += 1
    log.append(.granted)
    if let timeout = behavior.exclusiveTimeout {
      schedule(.exclusiveTimeout(grant: grant), at: requestReceivedAt + timeout)
    }
    for fault in behavior.faults {
      switch fault {
      case .noReady: return
      case .wrongEvent(let value):
        send(value, mode: .message)
        return
      case .resetDuringHandshake:
        run(.resetNotice)
        return
      default: continue
      }
    }
    send(XgpuViEvent.IDH_READY_TO_ACCESS_GPU.rawValue, mode: .message)
  }

  private mutating func send(_ message: UInt32, mode: SendMode) {
    let wasValid = receiveValid
    switch mode {
    case .message:
      receiveValid = false
      receiveAcknowledged = false
      receiveBuffer[0] = message
      receiveValid = message != 0
    case .resetNotification:
      receiveBuffer[0] = message
      receiveValid = true
    case .resetCompletion:
      receiveBuffer[0] = message
    case .spurious:
      receiveValid = true
    }
    log.append(.sent(message, setValid: mode != .resetCompletion))
    // Setting TRN_MSG_VALID is what interrupts the guest, if it enabled VALID_INT_EN.
    if receiveValid && (!wasValid || mode == .message) && validInterruptEnabled {
      raisedInterrupts.append(135)
    }
  }
}
