import MxBIF50
import MxMMIO
import MxMailbox
import Synchronization

/// A VF's BAR 5 with the host (PF) on the other side of the mailbox, behaving like AMD's GIM
/// (pf-host-facts): it acknowledges every message in its ISR, answers REQ_* with
/// READY_TO_ACCESS_GPU, serves one owner at a time, takes the GPU back after the exclusive
/// timeout with an FLR, and sends FLR_NOTIFICATION_CMPL without RCV_MSG_VALID.
///
/// The simulation is the guest's `RegisterBus` (every access is recorded in `trace`) and, through
/// `clock`, its time. Registers other than the mailbox are plain memory; BIF_IOV_FUNC_IDENTIFIER
/// reads as a VF with SR-IOV enabled.
public final class MailboxSimulation: RegisterBus, Sendable {
  private let state: Mutex<SimulationState>
  private let interruptHandler = Mutex<(@Sendable (UInt32) -> Void)?>(nil)

  public init(behavior: HostBehavior = .gim) {
    state = Mutex(SimulationState(behavior: behavior))
    state.withLock { state in
      for case .spuriousValid(let time) in behavior.faults {
        state.schedule(.hostSends(XgpuViEvent.IDH_CLR_MSG_BUF.rawValue, mode: .spurious), at: time)
      }
    }
  }

  /// The simulation's virtual time.
  public var clock: SimulatedClock { SimulatedClock(simulation: self) }

  /// Where the mailbox interrupts (sources 135 and 138) go: the guest's IRQ entry point.
  public func connectInterrupts(_ handler: @escaping @Sendable (UInt32) -> Void) {
    interruptHandler.withLock { $0 = handler }
  }

  /// Every guest register access so far, in order.
  public var trace: [BusAccess] { state.withLock { $0.trace } }

  public func clearTrace() { state.withLock { $0.trace.removeAll() } }

  /// What the host received and did, in order, for assertions.
  public var hostLog: [HostLogEntry] { state.withLock { $0.log } }

  /// Whether the host currently considers this VF the owner of the GPU.
  public var hostGrantedExclusiveAccess: Bool { state.withLock { $0.ownsGPU } }

  /// Starts a host-initiated reset of the VF at `time` (monitor "flr" command, world-switch failure).
  public func scheduleReset(at time: Duration) {
    state.withLock { $0.schedule(.resetNotice, at: time) }
  }

  var now: Duration { state.withLock { $0.now } }

  func withState<T>(_ body: (inout SimulationState) -> T) -> T { state.withLock { body(&$0) } }

  // MARK: RegisterBus

  public func read32(at offset: UInt32) -> UInt32 {
    state.withLock { state in
      state.synchronizeWithRealTime()
      let value = state.read(offset)
      state.trace.append(.read(offset: offset, value: value))
      return value
    }
  }

  public func write32(_ value: UInt32, at offset: UInt32) {
    let interrupts = state.withLock { state in
      state.synchronizeWithRealTime()
      state.trace.append(.write(offset: offset, value: value))
      state.write(value, at: offset)
      return state.takeRaisedInterrupts()
    }
    deliver(interrupts)
  }

  // MARK: Time

  enum Progress {
    case ranEvent
    case interruptedGuest
    case reachedDeadline
  }

  /// Runs the earliest event due by `deadline`, or moves time to the deadline if none is.
  func runEvents(until deadline: Duration) -> Progress {
    let (progress, interrupts) = state.withLock { state -> (Progress, [UInt32]) in
      guard let event = state.popEvent(dueBy: deadline) else {
        state.now = max(state.now, deadline)
        return (.reachedDeadline, [])
      }
      state.now = max(state.now, event.time)
      state.run(event.action)
      let raised = state.takeRaisedInterrupts()
      return (raised.isEmpty ? .ranEvent : .interruptedGuest, raised)
    }
    deliver(interrupts)
    return progress
  }

  private func deliver(_ interrupts: [UInt32]) {
    guard !interrupts.isEmpty, let handler = interruptHandler.withLock({ $0 }) else { return }
    for source in interrupts { handler(source) }
  }
}

/// One thing the host did, as its own log would show it.
public enum HostLogEntry: Equatable, Sendable {
  case received(UInt32)
  case sent(UInt32, setValid: Bool)
  case granted
  case released
  case discardedRelease
  case droppedRequest(UInt32)
  case exclusiveTimeout
  case resetStarted
  case resetCompleted
}
