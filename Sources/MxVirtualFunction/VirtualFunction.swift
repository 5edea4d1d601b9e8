import MxCSA
import MxChips
import MxGFX80
import MxKIQ
import MxMMIO
import MxMemory
import MxPM4
import MxStructures
import MxVirtualization

/// A Tonga or Fiji virtual function through its whole life, as the Linux driver takes it
/// (facts 1.3, 2.7): detection, exclusive initialisation (golden registers, writeback and CSA,
/// the KIQ and the kernel compute queues, ring tests, mailbox interrupts), release into runtime,
/// register access through the KIQ, recovery after a host reset or a hang, suspend and resume,
/// and teardown. Each step is a `LifeCycleEvent` in `history` and on `events`.
///
/// It copes with the ways AMD's GIM host differs from what the Linux guest assumes
/// (pf-host-facts section 6):
/// - **The 5 s exclusive limit** (3): exclusive work is timed from the grant against
///   `configuration.exclusiveBudget`, checked between steps; running out gives the GPU back
///   (`exclusiveBudgetExceeded`) and the work is attempted again.
/// - **Host resets at any moment** (2): whatever the VF set up under a grant counts as gone once
///   the mailbox has seen a reset since it (`GuestMailbox.resetSinceGrant`), which every step
///   checks — between the exclusive steps (polling the mailbox while its interrupts are off, as
///   they are until the end of init in the driver), after the release, and when an operation
///   begins. The reset is waited out and the work done again; suspend and teardown finish
///   locally instead (the host dropped the VF). Outside operations the VF is `.recovering` from
///   the announcement on, and recovers once the host reports the reset done — also from
///   `.failed`. Operations run one at a time (`docs/VirtualFunction.md`, "Host resets").
/// - **Ack without acceptance, queued requests** (4, 5): a request that is acknowledged but not
///   answered is sent again under `configuration.accessRetry` (bounded attempts and total time);
///   asking again is also what makes GIM look at its queue again.
/// - **A request from the owner waits** (GIM serves a request only when nobody owns the GPU): a
///   VF that must ask for a reset while it holds exclusive access releases it first.
/// - **One waiting message per VF, overwritten by the next**: the mailbox never sends a request
///   within `MailboxConfiguration.spacingAfterRelease` of a release, so it cannot erase a
///   release the host has not processed yet.
/// - **Silent reset on REQ_GPU_RESET_ACCESS** (7), **VRAM overwritten at every grant and no
///   VRAM-lost flag** (8, 9): after every grant everything the GPU reads from VRAM is rebuilt —
///   the KIQ's MQD from its backup, the compute EOP buffers and the CSA cleared, the writeback
///   (when it is in VRAM) cleared and its pointers set again — whatever the host said.
/// - **FINI after a host reset gets no READY** (6): suspend and teardown after a host reset the
///   VF did not recover from skip the handshake (`teardownHandshakeSkipped`).
/// - **The liquid scheduler's write-pointer placement** (11): `configuration.writebackDomain`
///   `.vram` puts every polled write pointer in VRAM.
///
/// Connect the VF's mailbox interrupts (sources 135 and 138) to `interruptReceived(sourceID:)`.
public actor VirtualFunction<
  Registers: RegisterBus & Sendable, Doorbells: RegisterBus & Sendable, Memory: GPUMemory & Sendable, C: Clock
> where C.Duration == Duration {
  public let configuration: VirtualFunctionConfiguration
  /// BAR 5.
  public let registers: Registers
  /// BAR 2.
  public let doorbells: Doorbells
  public let memory: Memory
  public let clock: C
  public let mailbox: GuestMailbox<Registers, C>
  /// Where the CSA is in every VM.
  public nonisolated let contextSaveArea: ContextSaveArea
  public private(set) var state: LifeCycleState = .off
  /// Every step so far.
  public private(set) var history: [LifeCycleRecord] = []
  /// The same steps as they happen.
  public nonisolated let events: AsyncStream<LifeCycleRecord>

  private let eventSink: AsyncStream<LifeCycleRecord>.Continuation
  private let start: C.Instant
  private var exclusiveSince: C.Instant?
  private var writeback: WritebackSlots?
  private var kiq: KIQRegisterAccess<C>?
  private var queues: QueueResources?
  private var csa: GPUAllocation?
  private var interruptsEnabled = false
  /// Whether a life-cycle operation runs (it handles host resets itself), and who waits to.
  private var operationRunning = false
  private var operationQueue: [CheckedContinuation<Void, Never>] = []
  /// Whether the function was found to be a VF of the chip (a failed VF is recovered after a
  /// host reset only then).
  private var detected = false
  private var monitor: Task<Void, Never>?

  /// - Parameter taskExecutor: where the tasks the VF and its mailbox start themselves run (the
  ///   host-event monitor, interrupt service); nil: the global concurrent executor. A simulation
  ///   passes its `SimulationExecutor`.
  public init(
    registers: Registers, doorbells: Doorbells, memory: Memory, clock: C, configuration: VirtualFunctionConfiguration,
    taskExecutor: (any TaskExecutor)? = nil
  ) {
    self.configuration = configuration
    self.registers = registers
    self.doorbells = doorbells
    self.memory = memory
    self.clock = clock
    mailbox = GuestMailbox(
      bus: registers, clock: clock, configuration: configuration.mailbox, taskExecutor: taskExecutor)
    contextSaveArea = ContextSaveArea(vmSize: configuration.vmSize)
    start = clock.now
    (events, eventSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(256))
  }

  deinit {
    monitor?.cancel()
    eventSink.finish()
  }

  /// The IRQ handler's entry point for the mailbox sources (135, 138).
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

  /// Detects the VF and brings it up into runtime (`amdgpu_device_init` for a VF).
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

  /// Suspend (`amdgpu_device_suspend` for a VF): FINI access, the compute queues unmapped,
  /// released. The host frees the VF; `resume()` brings it back. A host reset before or during
  /// it has freed the VF already: it is waited out and the handshake left out.
  public func suspend() async throws(VirtualFunctionError) {
    await beginOperation()
    defer { endOperation() }
    guard state == .runtime || state == .recovering else { throw .notAllowed(state) }
    do {
      try await exclusively(.teardown, then: .teardown) { () async throws(VirtualFunctionError) in
        try await self.unmapComputeQueues()
      }
    } catch {
      fail(error)
      throw error
    }
    state = .suspended
    record(.suspended)
  }

  /// Resume (`amdgpu_device_resume`): INIT access — the host starts the VF from scratch — and
  /// everything rebuilt from the backups, then runtime.
  public func resume() async throws(VirtualFunctionError) {
    await beginOperation()
    defer { endOperation() }
    guard state == .suspended else { throw .notAllowed(state) }
    try await initialize(detecting: false)
  }

  /// Unload (`amdgpu_device_fini_hw`): FINI access, the compute queues unmapped, mailbox
  /// interrupts off, released; then every allocation freed. After a host reset the VF has not
  /// recovered from, the host would not answer FINI (it dropped the VF), so the handshake is
  /// left out; an unanswered one is recorded and teardown finishes locally.
  public func tearDown() async {
    await beginOperation()
    defer { endOperation() }
    guard state != .off else { return }
    if state == .runtime || state == .recovering {
      do {
        try await exclusively(.teardown, then: .teardown) { () async throws(VirtualFunctionError) in
          try await self.unmapComputeQueues()
          await self.disableInterrupts()
        }
      } catch {
        record(.failed(error))
      }
    }
    await disableInterrupts()
    await freeEverything()
    monitor?.cancel()
    monitor = nil
    state = .off
    record(.tornDown)
  }

  // MARK: One operation at a time

  /// Waits until no other life-cycle operation runs (a host reset's recovery is one); they run
  /// in the order they asked.
  private func beginOperation() async {
    if operationRunning { await withCheckedContinuation { operationQueue.append($0) } }
    operationRunning = true
  }

  private func endOperation() {
    if operationQueue.isEmpty {
      operationRunning = false
    } else {
      operationQueue.removeFirst().resume()
    }
  }

  // MARK: Steps

  /// Bring-up or resume: INIT access, `build`, release, runtime; a failure leaves `.failed`.
  private func initialize(detecting: Bool) async throws(VirtualFunctionError) {
    state = .initializing
    do {
      if detecting { try detect() }
      try await exclusively(.initialization, then: .initialization) { () async throws(VirtualFunctionError) in
        try await self.build()
      }
    } catch {
      fail(error)
      throw error
    }
    enterRuntime()
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

  /// Everything the VF sets up under exclusive access, in the driver's order (facts 1.3): the
  /// golden registers (VI common), writeback and CSA (right after GMC), the KIQ and the compute
  /// queues, the ring tests, and the mailbox interrupts (late init). The first time it allocates
  /// and initialises; after that — every later grant, when VRAM cannot be trusted — it clears
  /// and restores.
  private func build() async throws(VirtualFunctionError) {
    let golden = Self.goldenSequences(configuration.chip)
    for sequence in golden { registers.apply(sequence) }
    record(.goldenRegistersApplied(writes: golden.reduce(0) { $0 + $1.count }))
    try await checkpoint()

    let fresh = queues == nil
    let (kiq, queues, csa) = try allocateOnce()
    if !fresh { await restoreVRAM(kiq: kiq, queues: queues, csa: csa) }
    record(.contextSaveAreaReady(virtualAddress: contextSaveArea.virtualAddress, layout: configuration.metadataLayout))

    if let backup = queues.kiqBackup {
      let (mqd, queue, chip, registers) = (queues.kiqMQD, queues.kiq, configuration.chip, self.registers)
      await kiq.withRing { ring in
        KIQBringUp.restoreKIQ(
          Self.mqdView(mqd), from: backup, ring: ring, queue: queue, chip: chip, registers: registers)
      }
      await kiq.forceCompletion()
    } else {
      do {
        try KIQBringUp.initializeKIQ(
          Self.mqdView(queues.kiqMQD), queue: queues.kiq, chip: configuration.chip, registers: registers)
      } catch {
        throw .queueSetup(error)
      }
      queues.kiqBackup = MQDBackup(of: Self.mqdView(queues.kiqMQD))
    }
    record(.kiqReady(restored: !fresh))
    try await checkpoint()

    try queues.prepareComputeQueues(registers: registers)
    KIQBringUp.enableCompute(registers: registers)
    try? await clock.sleep(for: .microseconds(50))  // the driver's udelay(50) before touching a queue
    try await checkpoint()
    KIQBringUp.enableDoorbells(chip: configuration.chip, registers: registers)
    let compute = queues.compute
    try await kiq.withRing { (ring) throws(VirtualFunctionError) in
      do throws(KIQError) {
        try KIQBringUp.mapComputeQueues(compute, on: ring)
      } catch {
        throw .kiq(error)
      }
    }
    record(.computeQueuesMapped(count: compute.count, queueMask: queues.queueMask))

    try await ringTest(name: "kiq") { () async throws(VirtualFunctionError) in
      try await kiq.withRing { (ring) throws(VirtualFunctionError) in try Self.emitRingTest(on: ring) }
    }
    for ring in queues.computeRings {
      try await ringTest(name: ring.name) { () throws(VirtualFunctionError) in try Self.emitRingTest(on: ring) }
    }
    record(.ringTestsPassed(rings: 1 + queues.computeRings.count))
    try await checkpoint()

    if !interruptsEnabled {
      await mailbox.enableInterrupts()
      interruptsEnabled = true
      record(.interruptsEnabled)
    }
  }

  /// What is allocated once (`sw_init`, GMC and writeback init, `amdgpu_allocate_static_csa`).
  private func allocateOnce() throws(VirtualFunctionError) -> (KIQRegisterAccess<C>, QueueResources, GPUAllocation) {
    if let kiq, let queues, let csa { return (kiq, queues, csa) }
    do {
      var writeback = try WritebackSlots(gpuMemory: memory, domain: configuration.writebackDomain)
      let ring = try Self.makeKIQRing(doorbells: doorbells, memory: memory, writeback: &writeback)
      let queues = try QueueResources(
        kiqRing: QueueResources.KIQRingAddresses(ring), computeQueueCount: configuration.computeQueueCount,
        memory: memory, doorbells: doorbells,
        writeback: &writeback)
      guard let readSlot = writeback.allocate() else { throw VirtualFunctionError.ring(.noWritebackSlot) }
      let csa = try ContextSaveArea.allocate(in: memory)
      let kiq = KIQRegisterAccess(ring: ring, readSlot: readSlot, clock: clock, budget: configuration.kiqBudget)
      (self.writeback, self.queues, self.csa, self.kiq) = (writeback, queues, csa, kiq)
      return (kiq, queues, csa)
    } catch let error as VirtualFunctionError {
      throw error
    } catch let error as GPUMemoryError {
      throw .memory(error)
    } catch {
      throw .ring(error as? RingError ?? .noWritebackSlot)
    }
  }

  /// The KIQ's ring (`amdgpu_gfx_kiq_init_ring`): 1 MiB in GTT, doorbell 0.
  private static func makeKIQRing(doorbells: Doorbells, memory: Memory, writeback: inout WritebackSlots)
    throws(RingError) -> Ring
  {
    try Ring(
      name: "kiq", sizeInBytes: Ring.sizeInBytes(submissionDepth: 256), doorbellIndex: VIDoorbell.kiq,
      doorbells: doorbells,
      memory: memory, writeback: &writeback)
  }

  /// After a grant, VRAM holds the host's VBIOS image (or nothing): clear what the driver keeps
  /// there zeroed — the CSA, the compute EOP buffers, the writeback when it lives there (its
  /// conditional-execution slots set to 1 again). The MQDs come back from their backups.
  private func restoreVRAM(kiq: KIQRegisterAccess<C>, queues: QueueResources, csa: GPUAllocation) async {
    csa.cpu.initializeMemory(as: UInt8.self, repeating: 0)
    queues.clearVRAMState()
    guard let writeback, writeback.memory.domain == .vram else { return }
    writeback.memory.cpu.initializeMemory(as: UInt8.self, repeating: 0)
    for ring in queues.computeRings { ring.conditionalExecutionSlot.value = 1 }
    await kiq.withRing { $0.conditionalExecutionSlot.value = 1 }
  }

  /// xgpu_vi_mailbox_put_irq, once.
  private func disableInterrupts() async {
    guard interruptsEnabled else { return }
    await mailbox.disableInterrupts()
    interruptsEnabled = false
  }

  /// Unmaps the compute queues on the KIQ and runs the KIQ ring test behind them
  /// (`gfx_v8_0_kcq_disable` and the test that commits it, quirk 5).
  private func unmapComputeQueues() async throws(VirtualFunctionError) {
    guard let kiq, let queues else { return }
    let compute = queues.compute
    try await kiq.withRing { (ring) throws(VirtualFunctionError) in
      do throws(KIQError) {
        try KIQBringUp.unmapComputeQueues(compute, on: ring)
      } catch {
        throw .kiq(error)
      }
    }
    try await ringTest(name: "kiq") { () async throws(VirtualFunctionError) in
      try await kiq.withRing { (ring) throws(VirtualFunctionError) in try Self.emitRingTest(on: ring) }
    }
    record(.computeQueuesUnmapped(count: compute.count))
  }

  /// `gfx_v8_0_ring_test_ring`: SCRATCH_REG0 ← 0xCAFEDEAD by MMIO, `emit` puts SET_UCONFIG_REG
  /// SCRATCH_REG0 ← 0xDEADBEEF on the ring, then SCRATCH_REG0 is polled for the change.
  private func ringTest(name: String, _ emit: () async throws(VirtualFunctionError) -> Void)
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

  private static func emitRingTest(on ring: Ring) throws(VirtualFunctionError) {
    var sink: PM4Ring
    do {
      sink = try ring.allocate(dwords: 3)
    } catch {
      throw .ring(error)
    }
    do {
      try KIQPackets.ringTest(into: &sink)
    } catch {
      ring.undo()
      throw .kiq(.encoding(error))
    }
    ring.commit(sink)
  }

  private func freeEverything() async {
    if let queues {
      for ring in queues.computeRings { memory.free(ring.buffer) }
      for allocation in queues.computeMQDs + [queues.kiqMQD, queues.kiqEOP, queues.computeEOP] {
        memory.free(allocation)
      }
    }
    if let kiq {
      let memory = self.memory
      await kiq.withRing { memory.free($0.buffer) }
    }
    if let csa { memory.free(csa) }
    if let writeback { memory.free(writeback.memory) }
    (queues, kiq, csa, writeback) = (nil, nil, nil, nil)
  }

  // MARK: Exclusive work, attempts and recovery

  /// Requests `phase` access, runs `work`, releases with `releasePhase`. A failure that a new
  /// attempt can cure (a host reset, a failed ring test, the budget run out) is settled — the
  /// reset waited out, or the GPU given back — and the whole is attempted again, up to
  /// `configuration.attempts` times, asking for a reset when the GPU itself failed. A host reset
  /// since the last grant ends a teardown instead: the host has dropped the VF, so once the reset
  /// is over there is nothing left to hand back.
  private func exclusively(
    _ phase: AccessPhase, then releasePhase: AccessPhase, _ work: () async throws(VirtualFunctionError) -> Void
  ) async throws(VirtualFunctionError) {
    var phase = phase
    var attempt = 1
    while true {
      do {
        try await acquire(phase)
        try await work()
        try await release(releasePhase)
        return
      } catch {
        if phase == .teardown, error == .resetDuringExclusiveWork {
          await giveBack()
          try await waitOutReset()
          record(.teardownHandshakeSkipped)
          return
        }
        guard error.isCurable, attempt < configuration.attempts else {
          await giveBack()
          throw error.isCurable ? .attemptsExhausted(attempt, last: error) : error
        }
        phase = try await settle(after: error, phase: phase)
        attempt += 1
        record(.recoveryStarted(.failedAttempt(error), attempt: attempt))
      }
    }
  }

  /// Recovery in runtime: after a host reset (init access: the host already reset the VF) or a
  /// hang (reset access).
  private func recover(_ cause: RecoveryCause) async throws(VirtualFunctionError) {
    state = .recovering
    record(.recoveryStarted(cause, attempt: 1))
    do {
      let phase: AccessPhase = cause == .hang ? .reset : .initialization
      try await exclusively(phase, then: .initialization) { () async throws(VirtualFunctionError) in
        try await self.build()
      }
    } catch {
      fail(error)
      throw error
    }
    record(.recovered)
    enterRuntime()
  }

  /// Exclusive access, asked for once any host reset under way is over, and again while the host
  /// acknowledges without answering. A teardown after a host reset since the last grant is not
  /// asked for: the host dropped the VF and would not answer.
  private func acquire(_ phase: AccessPhase) async throws(VirtualFunctionError) {
    let policy = configuration.accessRetry
    let started = clock.now
    var attempt = 0
    while true {
      try await waitOutReset()
      if phase == .teardown, await mailbox.resetSinceGrant { throw .resetDuringExclusiveWork }
      attempt += 1
      record(.accessRequested(phase, attempt: attempt))
      do {
        if phase == .reset {
          try await mailbox.requestReset()
        } else {
          try await mailbox.requestFullAccess(phase)
        }
        exclusiveSince = clock.now
        record(.accessGranted(phase))
        return
      } catch {
        switch error {
        case .noAcknowledgement, .noReply:
          let elapsed = started.duration(to: clock.now)
          guard attempt < policy.attempts, elapsed + policy.backoff < policy.totalBudget else {
            throw .accessNotGranted(phase, attempts: attempt, last: error)
          }
          try? await clock.sleep(for: policy.backoff)
        case .resetDuringRequest, .resetInProgress:
          throw .resetDuringExclusiveWork
        default:
          throw .mailbox(error)
        }
      }
    }
  }

  /// The release; a host reset since the grant — seen before, during or right after it — undid
  /// the work it would hand over.
  private func release(_ phase: AccessPhase) async throws(VirtualFunctionError) {
    let held = exclusiveTimeHeld ?? .zero
    do {
      try await mailbox.releaseFullAccess(phase)
    } catch {
      switch error {
      case .resetDuringRequest, .resetInProgress, .accessLost: throw .resetDuringExclusiveWork
      default: throw .mailbox(error)
      }
    }
    exclusiveSince = nil
    record(.accessReleased(phase, held: held))
    if await mailbox.resetSinceGrant { throw .resetDuringExclusiveWork }
  }

  /// Between exclusive steps: a host reset (seen by polling the mailbox, whose interrupts may
  /// still be off) or a budget run out ends the work.
  private func checkpoint() async throws(VirtualFunctionError) {
    if !interruptsEnabled { await mailbox.pollHostMessage() }
    if await mailbox.resetSinceGrant { throw .resetDuringExclusiveWork }
    if let held = exclusiveTimeHeld, held > configuration.exclusiveBudget {
      throw .exclusiveBudgetExceeded(used: held, budget: configuration.exclusiveBudget)
    }
  }

  /// Gets from a failed attempt to where the next can start, and says what it asks for: after
  /// a host reset, init access; when the VF still holds access, it gives it back first (GIM does
  /// not serve a request from the owner) and asks for a reset if the GPU failed.
  private func settle(after error: VirtualFunctionError, phase: AccessPhase) async throws(VirtualFunctionError)
    -> AccessPhase
  {
    try await waitOutReset()
    if error == .resetDuringExclusiveWork { return .initialization }
    guard case .exclusive = await mailbox.state else { return phase }
    await giveBack()
    try? await clock.sleep(for: configuration.accessRetry.backoff)
    return error.gpuFailed && phase != .teardown ? .reset : phase
  }

  /// When giving up: exclusive access still held is released, so that the host does not have to
  /// take it back with a reset.
  private func giveBack() async {
    exclusiveSince = nil
    guard case .exclusive(let held) = await mailbox.state else { return }
    try? await mailbox.releaseFullAccess(held == .teardown ? .teardown : .initialization)
  }

  /// A host reset under way is waited out (noticed by polling while the mailbox interrupts are
  /// off).
  private func waitOutReset() async throws(VirtualFunctionError) {
    if !interruptsEnabled { await mailbox.pollHostMessage() }
    do {
      try await mailbox.waitOutReset()
    } catch {
      throw .mailbox(error)
    }
  }

  // MARK: Host events

  private func startMonitor() {
    guard monitor == nil else { return }
    let mailbox = self.mailbox
    monitor = Task(executorPreference: mailbox.taskExecutor) { [weak self] in
      for await event in mailbox.events {
        guard let self else { return }
        await self.hostEvent(event)
      }
    }
  }

  /// A host reset outside any operation: the VF stops claiming runtime at once and, when the
  /// reset is over, recovers as the next operation (so that a teardown or suspend asked for
  /// meanwhile skips the rebuild). During an operation, the operation handles it itself.
  private func hostEvent(_ event: MailboxEvent) async {
    switch event {
    case .resetAnnounced:
      record(.resetAnnounced)
      if !operationRunning && state == .runtime { state = .recovering }
    case .resetCompleted:
      record(.resetCompleted)
      startRecoveryIfNeeded()
    case .resetTimedOut:
      record(.failed(.mailbox(.resetNotCompleted)))
      startRecoveryIfNeeded()
    case .unexpectedMessage(let message):
      record(.unexpectedMessage(message))
    }
  }

  private func startRecoveryIfNeeded() {
    Task(executorPreference: mailbox.taskExecutor) { [weak self] in await self?.recoverAfterHostReset() }
  }

  /// Recovers when, by the time it runs, the VF's work is gone to a host reset since its last
  /// grant — or it had failed (once detected): a host reset is a fresh start. The decision rests
  /// on the mailbox's reset count, not on the order events arrive in, so an event an operation
  /// already dealt with changes nothing.
  private func recoverAfterHostReset() async {
    await beginOperation()
    defer { endOperation() }
    let lost = await mailbox.resetSinceGrant
    switch state {
    case .runtime where lost, .recovering where lost, .failed where detected && lost:
      try? await recover(.hostReset)
    case .recovering:
      enterRuntime()  // announced, but the grant is current: an operation already recovered
    default:
      return
    }
  }

  // MARK: Bookkeeping

  private func enterRuntime() {
    state = .runtime
    record(.runtime)
  }

  private func fail(_ error: VirtualFunctionError) {
    state = .failed
    exclusiveSince = nil
    record(.failed(error))
  }

  private func record(_ event: LifeCycleEvent) {
    let record = LifeCycleRecord(time: start.duration(to: clock.now), event: event)
    history.append(record)
    eventSink.yield(record)
  }

  private static func mqdView(_ allocation: GPUAllocation) -> vi_mqd_allocation {
    do {
      return try vi_mqd_allocation(in: allocation.cpu)
    } catch {
      preconditionFailure("an MQD allocation holds a vi_mqd_allocation")
    }
  }

  static func goldenSequences(_ chip: VIChip) -> [[GoldenWrite]] {
    switch chip {
    case .tonga: Tonga.goldenSequences
    case .fiji: Fiji.goldenSequences
    }
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
    case .resetDuringExclusiveWork, .ringTestFailed, .exclusiveBudgetExceeded, .kiq: true
    default: false
    }
  }

  /// Whether the GPU itself failed (so a reset is asked for).
  var gpuFailed: Bool {
    switch self {
    case .ringTestFailed, .kiq: true
    default: false
    }
  }
}
