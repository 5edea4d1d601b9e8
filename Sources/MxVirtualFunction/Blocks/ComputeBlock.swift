import MxInterruptSources
import MxKIQ
import MxMMIO
import MxMemory
import MxPM4
import MxPM4Packets
import MxRuntimeRegisters
import MxSubmission

/// The KIQ and the kernel compute rings of the GFX block (`gfx_v8_0.c`, facts 3): in software
/// init the KIQ's ring (1 MiB, doorbell 0), the compute rings (8 KiB each, doorbells MEC_RING0
/// on), their MQDs and EOP buffers, and the end-of-pipe interrupt source; in hardware init the
/// KIQ from its MQD (or its backup), the compute MQDs, the MEC and its doorbells, SET_RESOURCES
/// and MAP_QUEUES on the KIQ, the ring tests, and the end-of-pipe interrupt of every pipe in
/// use (`amdgpu_fence_driver_hw_init`, and `amdgpu_irq_gpu_reset_resume_helper` after a reset);
/// the IB tests once the rings take work; at suspend and hardware fini the compute queues
/// unmapped (`gfx_v8_0_kcq_disable`).
///
/// Work and resets, decided: a GPU reset loses what the rings had in flight (the CP's queues
/// are emptied and VRAM overwritten — an IB there may be gone), so when a recovery starts every
/// outstanding fence fails with `FenceError.lostToReset` and the rings stop taking work until
/// they are rebuilt and tested again. Nothing is resubmitted: the driver's scheduler can replay
/// jobs, but a job whose buffers lived in VRAM would run on what the host wrote there; the
/// submitter, which knows, submits again.
final class ComputeBlock<
  Registers: RegisterBus & Sendable, Doorbells: RegisterBus & Sendable, Memory: GPUMemory & Sendable, C: Clock
>: VirtualFunctionBlock where C.Duration == Duration {
  typealias Device = VirtualFunction<Registers, Doorbells, Memory, C>

  private var queues: QueueResources?
  private var kiqBuffer: GPUAllocation?
  /// A writeback slot and a page of GTT for the IB tests (`amdgpu_ib_get` from the direct pool).
  private var testSlot: WritebackSlot?
  private var testBuffers: GPUAllocation?

  func softwareInit(_ vf: isolated Device) throws(VirtualFunctionError) {
    let configuration = vf.configuration
    do {
      let kiqRing = try Ring(
        name: "kiq", sizeInBytes: Ring.sizeInBytes(submissionDepth: 256), doorbellIndex: VIDoorbell.kiq,
        doorbells: vf.doorbells, memory: vf.memory, writeback: &vf.writeback!)
      let queues = try QueueResources(
        kiqRing: QueueResources.RingAddresses(kiqRing), computeQueueCount: configuration.computeQueueCount,
        memory: vf.memory)
      var rings: [SubmissionRing<C>] = []
      for (index, placement) in ComputeTopology.computeQueues(count: configuration.computeQueueCount).enumerated() {
        let highPriority = index == 0 && configuration.computeQueueCount > 1
        let ring = try Ring(
          name: "comp_\(placement)", sizeInBytes: Ring.sizeInBytes(submissionDepth: 2),
          doorbellIndex: VIDoorbell.mecRing0 + UInt32(index), doorbells: vf.doorbells, memory: vf.memory,
          writeback: &vf.writeback!)
        try queues.addComputeQueue(
          ring: QueueResources.RingAddresses(ring), placement: placement, highPriority: highPriority, memory: vf.memory)
        rings.append(SubmissionRing(ring: ring, placement: placement, highPriority: highPriority, clock: vf.clock))
      }
      guard let readSlot = vf.writeback!.allocate(), let testSlot = vf.writeback!.allocate() else {
        throw VirtualFunctionError.ring(.noWritebackSlot)
      }
      testBuffers = try vf.memory.allocate(bytes: 4096, domain: .gtt)
      self.testSlot = testSlot
      kiqBuffer = kiqRing.buffer
      self.queues = queues
      vf.computeRings = rings
      vf.kiq = KIQRegisterAccess(ring: kiqRing, readSlot: readSlot, clock: vf.clock, budget: configuration.kiqBudget)
    } catch {
      throw .allocating(error)
    }
    // gfx_v8_0_eop_irq: an end of pipe names its queue; the ring on it processes its fences.
    let rings = vf.computeRings
    vf.interrupts.register(sourceID: Vislands30InterruptSource.CP_END_OF_PIPE.sourceID) { vector in
      let (me, pipe, queue) = vector.endOfPipeQueue
      for ring in rings where ring.placement == QueuePlacement(me: me, pipe: pipe, queue: queue) {
        ring.fences.process()
      }
    }
  }

  func hardwareInit(_ vf: isolated Device, afterGrant: Bool) async throws(VirtualFunctionError) {
    guard let queues, let kiq = vf.kiq else { return }
    let (chip, registers, rings) = (vf.configuration.chip, vf.registers, vf.computeRings)
    if afterGrant { await restoreVRAMState(vf, queues: queues) }

    if let backup = queues.kiqBackup {
      let (mqd, queue) = (queues.kiqMQD, queues.kiq)
      await kiq.withRing { ring in
        KIQBringUp.restoreKIQ(
          QueueResources.mqdView(mqd), from: backup, ring: ring, queue: queue, chip: chip, registers: registers)
      }
      await kiq.forceCompletion()
      vf.record(.kiqReady(restored: true))
    } else {
      do {
        try KIQBringUp.initializeKIQ(
          QueueResources.mqdView(queues.kiqMQD), queue: queues.kiq, chip: chip, registers: registers)
      } catch {
        throw .queueSetup(error)
      }
      queues.kiqBackup = MQDBackup(of: QueueResources.mqdView(queues.kiqMQD))
      vf.record(.kiqReady(restored: false))
    }
    try await vf.checkpoint()

    try await prepareComputeQueues(vf, queues, rings: rings)
    KIQBringUp.enableCompute(registers: registers)
    try? await vf.clock.sleep(for: .microseconds(50))  // the driver's udelay(50) before touching a queue
    try await vf.checkpoint()
    KIQBringUp.enableDoorbells(chip: chip, registers: registers)
    let compute = queues.compute
    try await kiq.withRing { (ring) throws(VirtualFunctionError) in
      do throws(KIQError) {
        try KIQBringUp.mapComputeQueues(compute, on: ring)
      } catch {
        throw .kiq(error)
      }
    }
    vf.record(.computeQueuesMapped(count: compute.count, queueMask: queues.queueMask))

    try await vf.ringTest(name: "kiq") { () async throws(VirtualFunctionError) in
      try await kiq.withRing { (ring) throws(VirtualFunctionError) in try RingTests.emitRingTest(on: ring) }
    }
    for ring in rings {
      try await vf.ringTest(name: ring.name) { () async throws(VirtualFunctionError) in
        try ring.withRing { (ring) throws(VirtualFunctionError) in try RingTests.emitRingTest(on: ring) }
      }
      ring.setReady(true)
    }
    vf.record(.ringTestsPassed(rings: 1 + rings.count))
    try await vf.checkpoint()

    // amdgpu_irq_get on each ring's end-of-pipe source: TIME_STAMP_INT_ENABLE of its pipe, once.
    var pipes: [QueuePlacement] = []
    for ring in rings where !pipes.contains(where: { $0.me == ring.placement.me && $0.pipe == ring.placement.pipe }) {
      pipes.append(ring.placement)
      Self.enableEndOfPipeInterrupt(me: ring.placement.me, pipe: ring.placement.pipe, registers: registers)
    }
  }

  /// `gfx_v8_0_set_compute_eop_interrupt_state(…, ENABLE)`: TIME_STAMP_INT_ENABLE in the pipe's
  /// CP_ME1_PIPEn_INT_CNTL, read-modify-write. The driver controls only the first MEC; a ring on
  /// another is left alone, as there.
  static func enableEndOfPipeInterrupt(me: UInt32, pipe: UInt32, registers: some RegisterBus) {
    let controls = [
      CP_ME1_PIPE0_INT_CNTL.info.offset, CP_ME1_PIPE1_INT_CNTL.info.offset, CP_ME1_PIPE2_INT_CNTL.info.offset,
      CP_ME1_PIPE3_INT_CNTL.info.offset,
    ]
    guard me == 1, pipe < 4 else { return }
    var value = RegisterValue<CP_ME1_PIPE0_INT_CNTL>(rawValue: registers.read32(at: controls[Int(pipe)]))
    value[CP_ME1_PIPE0_INT_CNTL.TIME_STAMP_INT_ENABLE] = true
    registers.write32(value.rawValue, at: controls[Int(pipe)])
  }

  /// After a grant VRAM holds the host's VBIOS image: the compute EOP buffers cleared, and —
  /// when the writeback lives in VRAM (and was just cleared) — every ring's conditional-execution
  /// slot set to 1 again and the KIQ's fence put back to its last sequence. The MQDs come back
  /// from their backups in what follows; the compute rings' fences were settled when the
  /// recovery began.
  private func restoreVRAMState(_ vf: isolated Device, queues: QueueResources) async {
    queues.clearVRAMState()
    guard let writeback = vf.writeback, writeback.memory.domain == .vram else { return }
    for ring in vf.computeRings {
      ring.withRing { $0.conditionalExecutionSlot.value = 1 }
      ring.fences.reset()
    }
    await vf.kiq?.withRing { $0.conditionalExecutionSlot.value = 1 }
  }

  /// The compute queues' MQDs (`gfx_v8_0_kcq_init_queue`): initialised with a backup taken the
  /// first time, put back from it (rings started over) after that.
  private func prepareComputeQueues(_ vf: isolated Device, _ queues: QueueResources, rings: [SubmissionRing<C>])
    async throws(VirtualFunctionError)
  {
    for (index, ring) in rings.enumerated() {
      let mqd = queues.computeMQDs[index]
      let view = QueueResources.mqdView(mqd)
      if let backup = queues.computeBackups[index] {
        ring.withRing { KIQBringUp.restoreComputeQueue(QueueResources.mqdView(mqd), from: backup, ring: $0) }
      } else {
        do {
          try KIQBringUp.initializeComputeQueue(view, queue: queues.compute[index], registers: vf.registers)
        } catch {
          throw .queueSetup(error)
        }
        queues.computeBackups[index] = MQDBackup(of: view)
      }
    }
  }

  /// `amdgpu_ib_ring_tests` for the compute rings: each ready ring runs an IB that writes
  /// 0xDEADBEEF over 0xCAFEDEAD in a writeback slot (`gfx_v8_0_ring_test_ib`), and must finish
  /// within `AMDGPU_IB_TEST_TIMEOUT` (eight times that in runtime). A ring that fails stops
  /// taking work; under exclusive access the failure ends the attempt (the reset path tries
  /// again), in runtime the other rings are still tested.
  func readiness(_ vf: isolated Device, underExclusiveAccess: Bool) async throws(VirtualFunctionError) {
    guard let testSlot, let testBuffers else { return }
    let timeout = underExclusiveAccess ? RingTests.indirectBufferTimeout : RingTests.indirectBufferTimeoutInRuntime
    var firstFailure: VirtualFunctionError?
    var passed = 0
    for (index, ring) in vf.computeRings.enumerated() where ring.isReady {
      let failure = await RingTests.indirectBuffer(
        on: ring, slot: testSlot, buffer: testBuffers, offsetDwords: index * 8, timeout: timeout)
      guard let failure else {
        passed += 1
        continue
      }
      ring.setReady(false)
      let error = VirtualFunctionError.indirectBufferTestFailed(ring: ring.name, failure)
      if underExclusiveAccess { throw error }
      firstFailure = firstFailure ?? error
    }
    vf.record(.indirectBufferTestsPassed(rings: passed))
    if let firstFailure { throw firstFailure }
  }

  func prepareForReset(_ vf: isolated Device) async {
    for ring in vf.computeRings { ring.reset() }
  }

  func suspend(_ vf: isolated Device) async throws(VirtualFunctionError) {
    try await unmapComputeQueues(vf)
  }

  func hardwareFini(_ vf: isolated Device) async throws(VirtualFunctionError) {
    try await unmapComputeQueues(vf)
  }

  /// Unmaps the compute queues on the KIQ and runs the KIQ ring test behind them
  /// (`gfx_v8_0_kcq_disable` and the test that commits it, quirk 5); the rings take no more work.
  private func unmapComputeQueues(_ vf: isolated Device) async throws(VirtualFunctionError) {
    guard let kiq = vf.kiq, let queues else { return }
    for ring in vf.computeRings { ring.setReady(false) }
    let compute = queues.compute
    try await kiq.withRing { (ring) throws(VirtualFunctionError) in
      do throws(KIQError) {
        try KIQBringUp.unmapComputeQueues(compute, on: ring)
      } catch {
        throw .kiq(error)
      }
    }
    try await vf.ringTest(name: "kiq") { () async throws(VirtualFunctionError) in
      try await kiq.withRing { (ring) throws(VirtualFunctionError) in try RingTests.emitRingTest(on: ring) }
    }
    vf.record(.computeQueuesUnmapped(count: compute.count))
  }

  func softwareFini(_ vf: isolated Device) async {
    let memory = vf.memory
    for ring in vf.computeRings {
      ring.reset()
      ring.withRing { memory.free($0.buffer) }
    }
    for allocation in queues?.allocations ?? [] { memory.free(allocation) }
    if let kiqBuffer { memory.free(kiqBuffer) }
    if let testBuffers { memory.free(testBuffers) }
    (queues, kiqBuffer, testSlot, testBuffers) = (nil, nil, nil, nil)
    vf.computeRings = []
    vf.kiq = nil
  }
}
