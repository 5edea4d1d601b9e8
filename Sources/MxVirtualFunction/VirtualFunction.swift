import MxCSA
import MxChips
import MxIH
import MxKIQ
import MxLock
import MxMMIO
import MxMemory
import MxRuntimeRegisters
import MxSubmission
import MxVirtualization

/// A Tonga or Fiji virtual function through its whole life, as the Linux driver takes it
/// (facts 1.3, 2.7): detection, exclusive initialisation, release into runtime, work on its
/// compute rings, register access through the KIQ, recovery after a host reset or a hang,
/// suspend and resume, and teardown. Each step is a `LifeCycleEvent` in `history` and on
/// `events`.
///
/// The VF is made of IP blocks as the kernel's device is (`VirtualFunction+Blocks.swift`): the
/// mailbox, the golden registers, writeback and the CSA, the interrupt ring (IH), the KIQ and
/// the compute rings — each with the kernel's life-cycle hooks, run in the driver's order.
///
/// It copes with the ways AMD's GIM host differs from what the Linux guest assumes
/// (pf-host-facts section 6):
/// - **The 5 s exclusive limit** (3): exclusive work is timed from the grant against
///   `configuration.exclusiveBudget`, checked between steps; running out gives the GPU back
///   (`exclusiveBudgetExceeded`) and the work is attempted again.
/// - **Host resets at any moment** (2): whatever the VF set up under a grant counts as gone once
///   the mailbox has seen a reset since it (`GuestMailbox.resetSinceGrant`), which every step
///   checks — between the exclusive steps (polling the mailbox: its interrupts are off until the
///   end of init, and a reset takes the interrupt ring they come through with it), after the
///   release, and when an operation begins. The reset is waited out and the work done again;
///   suspend and teardown finish locally instead (the host dropped the VF). Outside operations
///   the VF is `.recovering` from the announcement on, and recovers once the host reports the
///   reset done — also from `.failed`. Operations run one at a time (`docs/VirtualFunction.md`,
///   "Host resets").
/// - **Ack without acceptance, queued requests** (4, 5): a request that is acknowledged but not
///   answered is sent again under `configuration.accessRetry` (bounded attempts and total time);
///   asking again is also what makes GIM look at its queue again.
/// - **A request from the owner waits** (GIM serves a request only when nobody owns the GPU): a
///   VF that must ask for a reset while it holds exclusive access releases it first.
/// - **One waiting message per VF, overwritten by the next**: the mailbox never sends a request
///   within `MailboxConfiguration.spacingAfterRelease` of a release, so it cannot erase a
///   release the host has not processed yet.
/// - **Silent reset on REQ_GPU_RESET_ACCESS** (7), **VRAM overwritten at every grant and no
///   VRAM-lost flag** (8, 9): after every grant each block rebuilds what it keeps in VRAM —
///   whatever the host said.
/// - **FINI after a host reset gets no READY** (6): suspend and teardown after a host reset the
///   VF did not recover from skip the handshake (`teardownHandshakeSkipped`).
/// - **The liquid scheduler's write-pointer placement** (11): `configuration.writebackDomain`
///   `.vram` puts every polled write pointer in VRAM.
///
/// Interrupts reach the VF through its IH ring, as on hardware: connect the VF's interrupt line
/// (its MSI) to `interruptAsserted()`. An OS that runs its own IH instead hands each decoded
/// interrupt to `interruptReceived(_:)`, or the mailbox's sources (135, 138) to
/// `interruptReceived(sourceID:)`.
public actor VirtualFunction<
  Registers: RegisterBus & Sendable, Doorbells: RegisterBus & Sendable, Memory: GPUMemory & Sendable, C: Clock
> where C.Duration == Duration {
  public let configuration: VirtualFunctionConfiguration
  /// BAR 5.
  public nonisolated let registers: Registers
  /// BAR 2.
  public nonisolated let doorbells: Doorbells
  public nonisolated let memory: Memory
  public nonisolated let clock: C
  public nonisolated let mailbox: GuestMailbox<Registers, C>
  /// Where the CSA is in every VM.
  public nonisolated let contextSaveArea: ContextSaveArea
  /// Where decoded interrupts go: each block registers its sources (`amdgpu_irq_add_id`).
  public nonisolated let interrupts = InterruptDispatcher()
  public internal(set) var state: LifeCycleState = .off
  /// The steps so far, the newest `configuration.historyCapacity` of them.
  public var history: [LifeCycleRecord] { records.entries }
  /// How many steps there were in all.
  public var historyTotal: Int { records.total }
  /// How many times VRAM was overwritten behind the VF's back: every init and reset grant (GIM
  /// loads the VBIOS over the VF's frame buffer and never says so, host mismatches 8 and 9). What
  /// the kernel's `vram_lost_counter` would count: a buffer in VRAM written before the counter
  /// last moved holds the host's bytes, not the writer's.
  public internal(set) var vramLostCounter = 0
  /// The same steps as they happen.
  public nonisolated let events: AsyncStream<LifeCycleRecord>

  // MARK: What the blocks share (the kernel's `adev` fields)

  /// The device's writeback slots (writeback and CSA block).
  var writeback: WritebackSlots?
  /// The CSA's allocation (writeback and CSA block).
  var csa: GPUAllocation?
  /// Register access through the KIQ (KIQ and compute block).
  var kiq: KIQRegisterAccess<C>?
  /// The kernel compute rings (KIQ and compute block).
  public internal(set) var computeRings: [SubmissionRing<C>] = []
  /// The GFX ring (GFX block).
  public internal(set) var graphicsRing: SubmissionRing<C>?
  /// Whether the mailbox's interrupts are on (mailbox block).
  var interruptsEnabled = false
  /// The interrupt line: the IH block's handler waits on it.
  nonisolated let interruptLine = InterruptSignal()

  private var records: BoundedLog<LifeCycleRecord>
  let eventSink: AsyncStream<LifeCycleRecord>.Continuation
  private let start: C.Instant
  var exclusiveSince: C.Instant?
  /// The IP blocks in the driver's order.
  private(set) var blocks: [any VirtualFunctionBlock<Registers, Doorbells, Memory, C>] = []
  /// Whether the blocks' software init ran.
  private var softwareReady = false
  /// Whether a life-cycle operation runs (it handles host resets itself), and who waits to.
  var operationRunning = false
  private var operationQueue: [CheckedContinuation<Void, Never>] = []
  /// Whether the function was found to be a VF of the chip (a failed VF is recovered after a
  /// host reset only then).
  var detected = false
  var monitor: Task<Void, Never>?
  /// Where the tasks the VF starts itself run.
  nonisolated let taskExecutor: (any TaskExecutor)?

  /// A VF driven through `registers` (its BAR 5), `doorbells` (its BAR 2) and `memory`; nothing
  /// is touched until `bringUp()`.
  ///
  /// - Parameters:
  ///   - registers: the VF's MMIO registers.
  ///   - doorbells: the VF's doorbell aperture.
  ///   - memory: where the VF's driver allocates GPU memory (rings, MQDs, writeback, the CSA).
  ///   - clock: what every timeout and poll interval is measured on.
  ///   - configuration: the chip, its compute queues, VM size and firmware versions, and how long
  ///     to wait for the host.
  ///   - taskExecutor: where the tasks the VF and its mailbox start themselves run (the
  ///     host-event monitor, interrupt service); nil: the global concurrent executor. A
  ///     simulation passes its `SimulationExecutor`.
  public init(
    registers: Registers, doorbells: Doorbells, memory: Memory, clock: C, configuration: VirtualFunctionConfiguration,
    taskExecutor: (any TaskExecutor)? = nil
  ) {
    self.configuration = configuration
    self.registers = registers
    self.doorbells = doorbells
    self.memory = memory
    self.clock = clock
    self.taskExecutor = taskExecutor
    mailbox = GuestMailbox(
      bus: registers, clock: clock, configuration: configuration.mailbox, taskExecutor: taskExecutor)
    contextSaveArea = ContextSaveArea(vmSize: configuration.vmSize)
    records = BoundedLog(capacity: configuration.historyCapacity)
    start = clock.now
    (events, eventSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(256))
  }

  deinit {
    monitor?.cancel()
    eventSink.finish()
  }

  /// The interrupt line (the VF's MSI): the IH ring has new entries. Safe from any thread,
  /// never waits.
  public nonisolated func interruptAsserted() {
    interruptLine.signal()
  }

  /// For an OS that runs its own IH: one decoded interrupt, handed to its block's handler.
  public nonisolated func interruptReceived(_ vector: InterruptVector) {
    interrupts.dispatch(vector)
  }

  /// For an OS that runs its own IH: a mailbox interrupt (sources 135, 138).
  public nonisolated func interruptReceived(sourceID: UInt32) {
    mailbox.interruptReceived(sourceID: sourceID)
  }

  /// How long the current exclusive window has been held, if one is.
  public var exclusiveTimeHeld: Duration? { exclusiveSince.map { $0.duration(to: clock.now) } }

  /// A new GPU VM for a client, with the CSA mapped at its address, read/write/execute, as the
  /// driver maps it into every VM it opens (`amdgpu_driver_open_kms`). Available once the CSA
  /// exists (after the first bring-up reached it).
  public func openVirtualMemory() throws(VirtualFunctionError) -> VirtualAddressSpace {
    guard let csa else { throw .notAllowed(state) }
    var vm = VirtualAddressSpace(size: configuration.vmSize)
    do {
      try contextSaveArea.map(csa, into: &vm)
    } catch {
      preconditionFailure("the CSA always fits its own VM: \(error)")
    }
    return vm
  }

  /// Register access as the driver routes it in the current state: direct MMIO while exclusive,
  /// the KIQ in runtime (but for the registers the driver always reaches directly), refused
  /// otherwise. Available once the KIQ exists (after the first bring-up reached it).
  public func registerAccess() throws(VirtualFunctionError) -> GuestRegisterRouting<Registers, C> {
    guard let kiq else { throw .notAllowed(state) }
    let mailbox = self.mailbox
    return GuestRegisterRouting(direct: registers, kiq: kiq) { await mailbox.state }
  }

  // MARK: Life cycle

  /// Detects the VF and brings it up into runtime (`amdgpu_device_init` for a VF), then runs
  /// the IB tests of its rings (the delayed init work the driver flushes after the release).
  public func bringUp() async throws(VirtualFunctionError) {
    await beginOperation()
    defer { endOperation() }
    guard state == .off else { throw .notAllowed(state) }
    startMonitor()
    try await initialize(detecting: true)
  }

  /// The guest found the GPU hung (a job timed out): REQ_GPU_RESET_ACCESS, rebuild, release
  /// (`amdgpu_device_reset_sriov` without the hypervisor). When a host reset came first
  /// (`.recovering`), its recovery runs instead: the host's reset cured the hang too.
  public func recoverFromHang() async throws(VirtualFunctionError) {
    await beginOperation()
    defer { endOperation() }
    switch state {
    case .runtime: try await recover(.hang)
    case .recovering: try await recover(.hostReset)
    default: throw .notAllowed(state)
    }
  }

  /// Suspend (`amdgpu_device_suspend` for a VF): FINI access, every block's suspend (the compute
  /// queues unmapped, the IH ring off), released. The host frees the VF; `resume()` brings it
  /// back. A host reset before or during it has freed the VF already: it is waited out and the
  /// handshake left out.
  public func suspend() async throws(VirtualFunctionError) {
    await beginOperation()
    defer { endOperation() }
    guard state == .runtime || state == .recovering else { throw .notAllowed(state) }
    do {
      try await exclusively(.teardown, then: .teardown) { () async throws(VirtualFunctionError) in
        for block in self.blocks.reversed() { try await block.suspend(self) }
      }
    } catch {
      fail(error)
      throw error
    }
    state = .suspended
    record(.suspended)
  }

  /// Resume (`amdgpu_device_resume`): INIT access — the host starts the VF from scratch — and
  /// everything rebuilt from the backups, then runtime and the IB tests.
  public func resume() async throws(VirtualFunctionError) {
    await beginOperation()
    defer { endOperation() }
    guard state == .suspended else { throw .notAllowed(state) }
    try await initialize(detecting: false)
  }

  /// Unload (`amdgpu_device_fini_hw`): FINI access, every block's hardware fini in reverse order
  /// (the compute queues unmapped, the IH ring off, the mailbox interrupts off), released; then
  /// every allocation freed. After a host reset the VF has not recovered from, the host would
  /// not answer FINI (it dropped the VF), so the handshake is left out; an unanswered one is
  /// recorded and teardown finishes locally.
  public func tearDown() async {
    await beginOperation()
    defer { endOperation() }
    guard state != .off else { return }
    if state == .runtime || state == .recovering {
      do {
        try await exclusively(.teardown, then: .teardown) { () async throws(VirtualFunctionError) in
          for block in self.blocks.reversed() { try await block.hardwareFini(self) }
        }
      } catch {
        record(.failed(error))
      }
    }
    await disableMailboxInterrupts()
    for block in blocks.reversed() { await block.softwareFini(self) }
    blocks = []
    softwareReady = false
    monitor?.cancel()
    monitor = nil
    state = .off
    record(.tornDown)
  }

  // MARK: One operation at a time

  /// Waits until no other life-cycle operation runs (a host reset's recovery is one); they run
  /// in the order they asked.
  func beginOperation() async {
    if operationRunning { await withCheckedContinuation { operationQueue.append($0) } }
    operationRunning = true
  }

  func endOperation() {
    if operationQueue.isEmpty {
      operationRunning = false
    } else {
      operationQueue.removeFirst().resume()
    }
  }

  // MARK: Steps

  /// Bring-up or resume: INIT access, `build`, release, runtime, then the IB tests; a failure
  /// leaves `.failed`.
  private func initialize(detecting: Bool) async throws(VirtualFunctionError) {
    state = .initializing
    do {
      if detecting { try detect() }
      try await exclusively(.initialization, then: .initialization) { () async throws(VirtualFunctionError) in
        try await self.build(late: true)
      }
    } catch {
      fail(error)
      throw error
    }
    enterRuntime()
    await testReadiness()
  }

  /// `amdgpu_detect_virtualization` and the PCI table.
  private func detect() throws(VirtualFunctionError) {
    let identity = registers.identifyFunction()
    guard identity.isVirtualFunction else { throw .notVirtualFunction(identity) }
    if let device = configuration.pciDeviceID, !Self.pciIDs(configuration.chip).contains(where: { $0.device == device })
    {
      throw .unknownDevice(device)
    }
    detected = true
    record(.detected(identity, chip: configuration.chip))
  }

  /// Everything the VF sets up under exclusive access, block by block in the driver's order:
  /// the first time, every block's software init, then hardware init; after that — every later
  /// grant, when VRAM and the hardware cannot be trusted — hardware init rebuilding. `late`:
  /// the blocks' late init follows (bring-up and resume, not a reset's recovery).
  func build(late: Bool) async throws(VirtualFunctionError) {
    let fresh = !softwareReady
    if fresh {
      blocks = makeBlocks()
      for block in blocks { try block.softwareInit(self) }
      softwareReady = true
    }
    for block in blocks { try await block.hardwareInit(self, afterGrant: !fresh) }
    if late {
      for block in blocks { try await block.lateInit(self) }
    }
  }

  /// The blocks' readiness tests (the IB tests) after the release: a failing ring stops taking
  /// work, as the driver marks it not ready; the VF stays in runtime.
  private func testReadiness() async {
    for block in blocks {
      do {
        try await block.readiness(self, underExclusiveAccess: false)
      } catch {
        record(.failed(error))
      }
    }
  }

  /// xgpu_vi_mailbox_put_irq, once.
  func disableMailboxInterrupts() async {
    guard interruptsEnabled else { return }
    await mailbox.disableInterrupts()
    interruptsEnabled = false
  }

  /// `gfx_v8_0_ring_test_ring`: SCRATCH_REG0 ← 0xCAFEDEAD by MMIO, `emit` puts SET_UCONFIG_REG
  /// SCRATCH_REG0 ← 0xDEADBEEF on the ring, then SCRATCH_REG0 is polled for the change.
  func ringTest(name: String, _ emit: () async throws(VirtualFunctionError) -> Void)
    async throws(VirtualFunctionError)
  {
    registers.write32(KIQPackets.ringTestInitialValue, at: SCRATCH_REG0.info.offset)
    try await emit()
    let deadline = clock.now.advanced(by: configuration.ringTestTimeout)
    while true {
      let value = registers.read32(at: SCRATCH_REG0.info.offset)
      if value == KIQPackets.ringTestValue { return }
      if clock.now >= deadline { throw .ringTestFailed(ring: name, read: value) }
      try? await clock.sleep(for: configuration.ringTestPoll)
    }
  }

  // MARK: Recovery

  /// Recovery in runtime: after a host reset (init access: the host already reset the VF) or a
  /// hang (reset access). The blocks account for the work the reset takes first.
  func recover(_ cause: RecoveryCause) async throws(VirtualFunctionError) {
    state = .recovering
    record(.recoveryStarted(cause, attempt: 1))
    for block in blocks { await block.prepareForReset(self) }
    do {
      let phase: AccessPhase = cause == .hang ? .reset : .initialization
      try await exclusively(phase, then: .initialization) { () async throws(VirtualFunctionError) in
        try await self.build(late: false)
        for block in self.blocks { try await block.readiness(self, underExclusiveAccess: true) }
      }
    } catch {
      fail(error)
      throw error
    }
    record(.recovered)
    enterRuntime()
  }

  // MARK: Bookkeeping

  func enterRuntime() {
    state = .runtime
    record(.runtime)
  }

  func fail(_ error: VirtualFunctionError) {
    state = .failed
    exclusiveSince = nil
    record(.failed(error))
  }

  func record(_ event: LifeCycleEvent) {
    let record = LifeCycleRecord(time: start.duration(to: clock.now), event: event)
    records.append(record)
    eventSink.yield(record)
  }

  static func pciIDs(_ chip: VIChip) -> [PCIDeviceID] {
    switch chip {
    case .tonga: Tonga.pciIDs
    case .fiji: Fiji.pciIDs
    }
  }
}

extension VirtualFunctionError {
  /// Whether attempting the work again can help.
  var isCurable: Bool {
    switch self {
    case .resetDuringExclusiveWork, .ringTestFailed, .exclusiveBudgetExceeded, .kiq, .indirectBufferTestFailed: true
    default: false
    }
  }

  /// Whether the GPU itself failed (so a reset is asked for).
  var gpuFailed: Bool {
    switch self {
    case .ringTestFailed, .kiq, .indirectBufferTestFailed: true
    default: false
    }
  }
}
