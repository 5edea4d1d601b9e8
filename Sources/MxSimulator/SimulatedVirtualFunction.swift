import MxBIF50
import MxLock
import MxMMIO

/// One VF of a simulated GPU as its guest driver sees it: BAR 5 (the mailbox and
/// BIF_IOV_FUNC_IDENTIFIER on the host's side, the IH registers the VF's interrupt handler, every
/// other register the VF's command processor), the doorbells of BAR 2, its own VRAM and GTT, its
/// interrupt line, and the host's virtual time. One model per hardware unit: the CP, the IH, the
/// memory; the host holds the mailbox.
///
/// What the host does to the VF reaches its hardware here: loading the VBIOS at an init or reset
/// grant overwrites the VF's VRAM, a function-level reset empties its CP and clears its IH, a
/// world switch stops
/// and restarts the CP (and fails, resetting the VF, when a queue of the CP hung), and the liquid scheduler's check refuses write pointers outside the first
/// 256 MiB of VRAM.
public final class SimulatedVirtualFunction: Sendable {
  /// What the host's VBIOS load leaves in every VRAM dword, so that a guest that trusts VRAM
  /// across a grant reads something obviously wrong.
  public static let vbiosPattern: UInt32 = 0xAA55_AA55
  /// The liquid scheduler's window for polled write pointers.
  public static let liquidWindowBytes: UInt64 = 256 << 20

  public let index: Int
  public let host: GIMHost
  /// The host's side of BAR 5.
  public let mailbox: MailboxSimulation
  public let cp: CommandProcessorSimulation
  /// The VF's interrupt handler: its IH ring.
  public let interruptHandler: InterruptHandlerSimulation
  public let memory: SimulatedGPUMemory
  private let tracing: Lock<[TimedAccess]?>

  init(
    host: GIMHost, index: Int, cpFaults: CommandProcessorSimulation.Faults, recordsTrace: Bool, logCapacity: Int
  ) {
    self.index = index
    self.host = host
    mailbox = host.function(index)
    memory = SimulatedGPUMemory()
    cp = CommandProcessorSimulation(memory: memory, scheduler: host, faults: cpFaults, logCapacity: logCapacity)
    interruptHandler = InterruptHandlerSimulation(memory: memory, scheduler: host, logCapacity: logCapacity)
    cp.setRunning(false)  // not on the GPU until the host grants it access
    cp.connectIdle { [weak host] in host?.reportIdle(of: index) }
    tracing = Lock(recordsTrace ? [] : nil)
    // The units' interrupts reach the guest through the VF's IH ring, as on hardware; a guest
    // that runs its own IH connects the host's mailbox interrupts to itself instead.
    let interruptHandler = interruptHandler
    cp.connectInterrupts { interruptHandler.raise($0) }
    host.connectInterrupts(of: index) { interruptHandler.raise(SimulatedInterrupt(sourceID: $0)) }
    let mailbox = mailbox
    cp.connectExternalRegisters(
      CommandProcessorSimulation.ExternalRegisters(
        claims: { Registers.isHosts($0) || InterruptHandlerSimulation.registerOffsets.contains($0) },
        bus: PeripheralRegisters(mailbox: mailbox, interruptHandler: interruptHandler)))
    host.connectHardware(of: index) { [cp, memory, host] action in
      switch action {
      case .loadVBIOS: memory.clobberVRAM(with: Self.vbiosPattern)
      case .clearFrameBuffer: memory.clobberVRAM(with: 0)
      case .functionLevelReset: Self.resetUnits(cp: cp, interruptHandler: interruptHandler)
      case .idle:
        if cp.queues.contains(where: \.hung) {
          cp.setRunning(false)
          host.reportIdleFailure(of: index)
        } else {
          cp.idle()
        }
      case .save: host.storeContext(cp.saveContext(), of: index)
      case .load(let image): cp.loadContext(image)
      case .switchedOut: cp.setRunning(false)
      case .switchedIn: cp.setRunning(true)
      case .checkWritePointerPlacement:
        let outside = cp.queues.contains {
          !memory.isVRAM($0.writePointerAddress) || $0.writePointerAddress >= Self.liquidWindowBytes
        }
        if outside { host.refuseWritePointerPlacement(of: index) }
      }
    }
  }

  /// A function-level reset the VM's monitor starts (QEMU resets a passed-through VF through
  /// VFIO when its VM reboots): the VF's units are reset as by the host's FLR, and GIM is not
  /// told — it has no hook for one (host facts §7). What an operator falls back on when a VF
  /// will not come back by itself.
  public func resetByVirtualMachineMonitor() {
    Self.resetUnits(cp: cp, interruptHandler: interruptHandler)
  }

  private static func resetUnits(cp: CommandProcessorSimulation, interruptHandler: InterruptHandlerSimulation) {
    cp.reset()
    interruptHandler.reset()
  }

  /// The VF's interrupt line (its MSI): the guest's interrupt handler, run for every IV entry
  /// the IH writes (the guest then reads its IH ring). The function keeps `handler`; a guest
  /// that holds this function's buses is captured weakly in it, or neither is ever freed.
  public func connectInterruptLine(_ handler: @escaping @Sendable () -> Void) {
    interruptHandler.connectInterruptLine(handler)
  }

  /// BAR 5.
  public var registers: Registers { Registers(function: self) }
  /// BAR 2.
  public var doorbells: Doorbells { Doorbells(function: self) }
  /// The host's virtual time.
  public var clock: SimulatedClock { host.clock }

  /// Every BAR 5 access so far, in order, with its time (when the GPU was made with
  /// `recordsTrace`).
  public var trace: [TimedAccess] { tracing.withLock { $0 ?? [] } }

  /// A register access and when it happened.
  public struct TimedAccess: Equatable, Sendable {
    public var time: Duration
    public var access: BusAccess
  }

  private func record(_ access: BusAccess) {
    guard tracing.withLock({ $0 != nil }) else { return }
    let time = host.elapsed
    tracing.withLock { $0?.append(TimedAccess(time: time, access: access)) }
  }

  /// BAR 5: the registers the host holds (the mailbox, BIF_IOV_FUNC_IDENTIFIER) go to it,
  /// everything else to the VF's CP.
  public struct Registers: RegisterBus, Sendable {
    let function: SimulatedVirtualFunction

    static func isHosts(_ offset: UInt32) -> Bool {
      (MAILBOX_MSGBUF_TRN_DW0.info.offset...MAILBOX_INT_CNTL.info.offset).contains(offset)
        || offset == BIF_IOV_FUNC_IDENTIFIER.info.offset
    }

    public func read32(at offset: UInt32) -> UInt32 {
      let value =
        Self.isHosts(offset) || InterruptHandlerSimulation.registerOffsets.contains(offset)
        ? function.peripherals.read32(at: offset) : function.cp.registers.read32(at: offset)
      function.record(.read(offset: offset, value: value))
      return value
    }

    public func write32(_ value: UInt32, at offset: UInt32) {
      function.record(.write(offset: offset, value: value))
      if Self.isHosts(offset) || InterruptHandlerSimulation.registerOffsets.contains(offset) {
        function.peripherals.write32(value, at: offset)
      } else {
        function.cp.registers.write32(value, at: offset)
      }
    }
  }

  /// BAR 2: the IH's read-pointer doorbell, when IH_DOORBELL_RPTR enables it, goes to the IH;
  /// every other doorbell to the CP.
  public struct Doorbells: RegisterBus, Sendable {
    let function: SimulatedVirtualFunction

    /// Doorbells read back nothing.
    public func read32(at offset: UInt32) -> UInt32 { 0 }

    public func write32(_ value: UInt32, at offset: UInt32) {
      if function.interruptHandler.doorbell(offset, value) { return }
      function.cp.doorbells.write32(value, at: offset)
    }
  }

  var peripherals: PeripheralRegisters {
    PeripheralRegisters(mailbox: mailbox, interruptHandler: interruptHandler)
  }
}

/// The BAR 5 registers that are not the CP's: the mailbox (and BIF_IOV_FUNC_IDENTIFIER) on the
/// host's side, the IH's.
struct PeripheralRegisters: RegisterBus, Sendable {
  let mailbox: MailboxSimulation
  let interruptHandler: InterruptHandlerSimulation

  func read32(at offset: UInt32) -> UInt32 {
    SimulatedVirtualFunction.Registers.isHosts(offset)
      ? mailbox.read32(at: offset) : interruptHandler.registers.read32(at: offset)
  }

  func write32(_ value: UInt32, at offset: UInt32) {
    if SimulatedVirtualFunction.Registers.isHosts(offset) {
      mailbox.write32(value, at: offset)
    } else {
      interruptHandler.registers.write32(value, at: offset)
    }
  }
}

/// A GPU with its host and VFs, each VF a `SimulatedVirtualFunction` on the host's time line.
public final class SimulatedGPU: Sendable {
  public let host: GIMHost
  public let functions: [SimulatedVirtualFunction]

  /// How time passes in a simulation.
  public enum Time: Sendable {
    /// Virtual time, moved by the simulation's executor when every task waits: exact and
    /// repeatable; guests use `clock`.
    case virtual
    /// Wall-clock time: the host acts on a thread of its own when its delays have passed; guests
    /// use `ContinuousClock`.
    case real
  }

  /// - Parameters:
  ///   - behavior: how the host (GIM) behaves, faults included.
  ///   - functions: how many VFs the host has enabled.
  ///   - cpFaults: faults every VF's CP starts with.
  ///   - recordsTrace: whether each VF keeps its BAR 5 trace (for timelines; off for benchmarks).
  ///   - logCapacity: how many executed packets each CP keeps (`executed`), IV entries each IH
  ///     (`written`) and records the host (`log`); small for long runs, 0 for benchmarks.
  ///   - time: exact virtual time on the simulation's own executor, or the wall clock.
  public init(
    behavior: HostBehavior = .gim, functions: Int = 1, cpFaults: CommandProcessorSimulation.Faults = .init(),
    recordsTrace: Bool = false, logCapacity: Int = 100_000, time: Time = .virtual
  ) {
    let host = GIMHost(behavior: behavior, functions: functions, logCapacity: logCapacity)
    self.host = host
    switch time {
    case .virtual:
      executor = host.drive()
      realTimeHost = nil
    case .real:
      executor = nil
      realTimeHost = RealTimeHost(driving: host)
    }
    self.functions = (0..<functions).map {
      SimulatedVirtualFunction(
        host: host, index: $0, cpFaults: cpFaults, recordsTrace: recordsTrace, logCapacity: logCapacity)
    }
  }

  public var clock: SimulatedClock { host.clock }

  /// In virtual time, the executor that runs the simulation's tasks and advances its time (see
  /// `SimulationExecutor`). Give it to each guest as its task executor.
  public let executor: SimulationExecutor?
  private let realTimeHost: RealTimeHost?

  deinit {
    realTimeHost?.stop()
    host.shutDown()
  }

  /// Runs `body` with the simulation's executor preferred, so that it, its child tasks and the
  /// default actors it calls run there and virtual time moves only when all of them wait. In
  /// real time it just runs `body`.
  public func run<T: Sendable, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
    try await withTaskExecutorPreference(executor, operation: body)
  }
}
