import MxClearState
import MxInterruptSources
import MxKIQ
import MxMMIO
import MxMemory
import MxRuntimeRegisters
import MxSubmission

/// The GFX ring of the GFX block (`gfx_v8_0.c`): in software init the ring (8 KiB, doorbell
/// 0x20) and the GFX ring's end-of-pipe interrupt (ring ID 0 of the CP's end-of-pipe source);
/// in hardware init the ring programmed and its engines started with the clear-state preamble
/// (`GraphicsRingSetup`: `gfx_v8_0_cp_gfx_resume` and `_cp_gfx_start`), its ring test, and its
/// end-of-pipe interrupt enabled (CP_INT_CNTL_RING0); the IB test once it takes work. A VF's
/// driver leaves the GFX hardware alone at suspend and hardware fini (`gfx_v8_0_hw_fini` returns
/// early under SR-IOV): the ring only stops taking work.
///
/// Order, decided: the kernel's one gfx block resumes the KIQ, then the GFX ring, then the
/// compute queues, then tests every ring (`gfx_v8_0_cp_resume`); here the KIQ-and-compute block
/// and this block are two, so the GFX ring comes up — and is tested — after the compute queues
/// are mapped and tested, and its IB test runs after theirs (the kernel's runs first, in ring
/// order). The two program disjoint registers and neither's test needs the other's ring.
///
/// Work and resets as on the compute rings (`ComputeBlock`): a reset fails every outstanding
/// fence with `lostToReset`; nothing is resubmitted.
final class GraphicsBlock<
  Registers: RegisterBus & Sendable, Doorbells: RegisterBus & Sendable, Memory: GPUMemory & Sendable, C: Clock
>: VirtualFunctionBlock where C.Duration == Duration {
  typealias Device = VirtualFunction<Registers, Doorbells, Memory, C>

  /// A writeback slot and a page of GTT for the IB test.
  private var testSlot: WritebackSlot?
  private var testBuffer: GPUAllocation?

  func softwareInit(_ vf: isolated Device) throws(VirtualFunctionError) {
    do {
      let ring = try Ring(
        name: "gfx", sizeInBytes: Ring.sizeInBytes(submissionDepth: 2), doorbellIndex: GraphicsRingSetup.doorbell,
        doorbells: vf.doorbells, memory: vf.memory, writeback: &vf.writeback!)
      guard let testSlot = vf.writeback!.allocate() else { throw VirtualFunctionError.ring(.noWritebackSlot) }
      testBuffer = try vf.memory.allocate(bytes: 4096, domain: .gtt)
      self.testSlot = testSlot
      vf.graphicsRing = SubmissionRing(
        graphicsRing: ring, csa: vf.contextSaveArea, metadataLayout: vf.configuration.metadataLayout, clock: vf.clock)
    } catch {
      throw .allocating(error)
    }
    // gfx_v8_0_eop_irq for ME 0: the GFX ring processes its fences.
    let ring = vf.graphicsRing!
    vf.interrupts.register(sourceID: Vislands30InterruptSource.CP_END_OF_PIPE.sourceID, ringID: 0) { _ in
      ring.fences.process()
    }
  }

  func hardwareInit(_ vf: isolated Device, afterGrant: Bool) async throws(VirtualFunctionError) {
    guard let ring = vf.graphicsRing else { return }
    let (registers, chip) = (vf.registers, vf.configuration.chip)
    if afterGrant, let writeback = vf.writeback, writeback.memory.domain == .vram {
      // The writeback was just cleared: the conditional-execution slot is 1 again, the fence
      // back to its last sequence (the fences were settled when the recovery began).
      ring.withRing { $0.conditionalExecutionSlot.value = 1 }
      ring.fences.reset()
    }
    ring.withRing { GraphicsRingSetup.programPointers(ring: $0, registers: registers) }
    try? await vf.clock.sleep(for: .milliseconds(1))  // the driver's mdelay(1)
    ring.withRing { GraphicsRingSetup.programBase(ring: $0, registers: registers) }
    GraphicsRingSetup.startEngines(registers: registers)
    try? await vf.clock.sleep(for: .microseconds(50))  // gfx_v8_0_cp_gfx_enable's udelay(50)
    try await vf.checkpoint()
    do {
      try ring.withRing { (ring) throws(RingError) in
        try GraphicsRingSetup.emitClearState(
          on: ring, extents: ViClearState.contextExtents, raster: .allRenderBackends(chip))
      }
    } catch {
      throw .ring(error)
    }
    try await vf.ringTest(name: ring.name) { () async throws(VirtualFunctionError) in
      try ring.withRing { (ring) throws(VirtualFunctionError) in try RingTests.emitRingTest(on: ring) }
    }
    ring.setReady(true)
    // amdgpu_irq_get on the GFX ring's end-of-pipe source (gfx_v8_0_set_gfx_eop_interrupt_state).
    registers.modify(CP_INT_CNTL_RING0.self) { $0[CP_INT_CNTL_RING0.TIME_STAMP_INT_ENABLE] = true }
    vf.record(.graphicsRingReady(clearStateDwords: GraphicsRingSetup.clearStateDwords(ViClearState.contextExtents)))
    try await vf.checkpoint()
  }

  /// `gfx_v8_0_ring_test_ib` on the GFX ring, within `AMDGPU_IB_TEST_TIMEOUT` (eight times that
  /// in runtime). A failure stops the ring taking work; under exclusive access it ends the
  /// attempt.
  func readiness(_ vf: isolated Device, underExclusiveAccess: Bool) async throws(VirtualFunctionError) {
    guard let ring = vf.graphicsRing, ring.isReady, let testSlot, let testBuffer else { return }
    let timeout = underExclusiveAccess ? RingTests.indirectBufferTimeout : RingTests.indirectBufferTimeoutInRuntime
    if let failure = await RingTests.indirectBuffer(
      on: ring, slot: testSlot, buffer: testBuffer, offsetDwords: 0, timeout: timeout)
    {
      ring.setReady(false)
      throw .indirectBufferTestFailed(ring: ring.name, failure)
    }
    vf.record(.graphicsIndirectBufferTestPassed)
  }

  func prepareForReset(_ vf: isolated Device) async {
    vf.graphicsRing?.reset()
  }

  func suspend(_ vf: isolated Device) async throws(VirtualFunctionError) {
    vf.graphicsRing?.setReady(false)
  }

  func hardwareFini(_ vf: isolated Device) async throws(VirtualFunctionError) {
    vf.graphicsRing?.setReady(false)
  }

  func softwareFini(_ vf: isolated Device) async {
    if let ring = vf.graphicsRing {
      ring.reset()
      let memory = vf.memory
      ring.withRing { memory.free($0.buffer) }
    }
    if let testBuffer { vf.memory.free(testBuffer) }
    (testSlot, testBuffer) = (nil, nil)
    vf.graphicsRing = nil
  }
}
