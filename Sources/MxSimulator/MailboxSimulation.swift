import MxMMIO

/// One VF's BAR 5 on a simulated host (`GIMHost`): the mailbox registers as the VF sees them,
/// every other register plain memory, BIF_IOV_FUNC_IDENTIFIER reading as a VF with SR-IOV
/// enabled. Every access is recorded in `trace`.
///
/// `MailboxSimulation(behavior:)` is a host with this one VF, for mailbox tests; a whole GPU
/// with several VFs is a `GIMHost` and its `function(_:)`s.
public final class MailboxSimulation: RegisterBus, Sendable {
  public let host: GIMHost
  /// The VF's number on its host (0–15).
  public let index: Int

  init(host: GIMHost, index: Int) {
    self.host = host
    self.index = index
  }

  /// A host with one VF, this one.
  public convenience init(behavior: HostBehavior = .gim) {
    self.init(host: GIMHost(behavior: behavior, functions: 1), index: 0)
  }

  /// The host's virtual time.
  public var clock: SimulatedClock { host.clock }

  /// Where this VF's mailbox interrupts (sources 135 and 138) go: the guest's IRQ entry point.
  public func connectInterrupts(_ handler: @escaping @Sendable (UInt32) -> Void) {
    host.connectInterrupts(of: index, handler)
  }

  /// Every register access of this VF so far, in order.
  public var trace: [BusAccess] { host.withState { $0.functions[index].trace } }

  public func clearTrace() { host.withState { $0.functions[index].trace.removeAll() } }

  /// What the host received and did for this VF, in order.
  public var hostLog: [HostLogEntry] { host.log.filter { $0.vf == index }.map(\.entry) }

  /// Whether the host currently considers this VF the owner of the GPU.
  public var hostGrantedExclusiveAccess: Bool { host.owner == index }

  /// Starts a host-initiated reset of this VF at `time`.
  public func scheduleReset(at time: Duration) { host.scheduleReset(of: index, at: time) }

  // MARK: RegisterBus

  public func read32(at offset: UInt32) -> UInt32 { host.read32(at: offset, vf: index) }

  public func write32(_ value: UInt32, at offset: UInt32) { host.write32(value, at: offset, vf: index) }
}

/// One thing the host did, as its own log would show it.
public enum HostLogEntry: Equatable, Sendable {
  case received(UInt32)
  case sent(UInt32, setValid: Bool)
  case granted
  case released
  case discardedRelease
  case droppedRequest(UInt32)
  /// A request waits: another VF owns the GPU (or this one still does).
  case requestWaiting(UInt32)
  /// REQ_GPU_RESET_ACCESS: the host reset the VF without telling it.
  case silentReset
  case exclusiveTimeout
  case resetStarted
  case resetCompleted
  /// The VF's context was put on the GPU (logged only with more than one VF).
  case worldSwitch
  case removedFromRunList(reason: String)
  /// IDLE_GPU of the VF being switched out ended with this GPU-IOV status (0x0E: GFX hang); the
  /// host resets the VF.
  case worldSwitchFailed(status: UInt8)
  /// A GPU-IOV command for the VF (a world switch's IDLE, SAVE, LOAD or RUN), how long it took
  /// and how it ended.
  case gpuIOV(GPUIOVCommand, duration: Duration, outcome: GPUIOVOutcome)
}
