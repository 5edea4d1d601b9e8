import MxCSA
import MxClearState
import MxGFX80
import MxKIQ
import MxMMIO
import MxMemory
import MxPM4
import MxPM4Packets
import MxSimulator
import MxSubmission
import XCTest

/// A CP with its GFX ring brought up as the driver does it, the clear state run.
func broughtUp(chip: VIChip = .fiji) throws -> (TestCP, Ring) {
  let test = TestCP()
  var writeback = try WritebackSlots(gpuMemory: test.memory)
  let ring = try Ring(
    name: "gfx", sizeInBytes: Ring.sizeInBytes(submissionDepth: 2), doorbellIndex: GraphicsRingSetup.doorbell,
    doorbells: test.cp.doorbells, memory: test.memory, writeback: &writeback)
  let registers = test.cp.registers
  registers.write(CP_ME_CNTL.self) {
    $0[CP_ME_CNTL.ME_HALT] = true
    $0[CP_ME_CNTL.PFP_HALT] = true
    $0[CP_ME_CNTL.CE_HALT] = true
  }
  GraphicsRingSetup.programPointers(ring: ring, registers: registers)
  GraphicsRingSetup.programBase(ring: ring, registers: registers)
  GraphicsRingSetup.startEngines(registers: registers)
  try GraphicsRingSetup.emitClearState(
    on: ring, extents: ViClearState.contextExtents, raster: .allRenderBackends(chip))
  return (test, ring)
}

/// The simulated CP's GFX ring, brought up as `gfx_v8_0_cp_gfx_resume` and `_start` do it: it
/// comes up when the ME and PFP are un-halted, runs its clear-state preamble into the context
/// registers, answers the ring test, runs COND_EXEC, and goes when the ME is halted again.
final class GraphicsRingTests: XCTestCase {
  func testTheClearStateReachesTheContextRegisters() throws {
    let (test, ring) = try broughtUp()
    let gfx = try XCTUnwrap(test.cp.queues.first { $0.me == 0 })
    XCTAssertEqual(gfx.doorbell, 0x20)
    XCTAssertEqual(gfx.ringAddress, ring.buffer.gpuAddress)
    XCTAssertEqual(gfx.ringDwords, 2048)
    XCTAssertEqual(gfx.readPointer, 1024, "the whole preamble and its pads run")
    XCTAssertEqual(try ring.readPointer(), 1024, "and reported")
    XCTAssertEqual(test.cp.hangs, [])
    let registers = test.cp.registers
    for extent in ViClearState.contextExtents {
      for (index, value) in extent.values.enumerated() {
        XCTAssertEqual(registers.read32(at: extent.registerOffset + UInt32(index)), value)
      }
    }
    XCTAssertEqual(registers.read32(at: PA_SC_SCREEN_SCISSOR_BR.info.offset), 0x4000_4000)
    XCTAssertEqual(registers.read32(at: PA_SC_RASTER_CONFIG.info.offset), 0x3A00_161A)
    XCTAssertEqual(registers.read32(at: PA_SC_RASTER_CONFIG_1.info.offset), 0x2E)
  }

  func testTheRingTestAndAConditionalExecution() throws {
    let (test, ring) = try broughtUp(chip: .tonga)
    let flag = try test.memory.allocate(bytes: 4, domain: .gtt)
    func submit(condition: UInt32, value: UInt32) throws {
      flag.cpu.storeBytes(of: condition, as: UInt32.self)
      var sink = try ring.allocate(dwords: 16)
      try COND_EXEC(
        ADDRESS_LO: UInt32(truncatingIfNeeded: flag.gpuAddress), ADDRESS_HI: UInt32(flag.gpuAddress >> 32),
        EXEC_COUNT: 3
      ).encode(into: &sink)
      try SET_UCONFIG_REG(REG_OFFSET: UInt16(SCRATCH_REG0.info.offset - 0xC000)).encode(into: &sink, payload: [value])
      ring.commit(sink)
    }
    try submit(condition: 1, value: 0xDEAD_BEEF)
    XCTAssertEqual(test.cp.registers.read32(at: SCRATCH_REG0.info.offset), 0xDEAD_BEEF, "run")
    try submit(condition: 0, value: 0x1234)
    XCTAssertEqual(test.cp.registers.read32(at: SCRATCH_REG0.info.offset), 0xDEAD_BEEF, "skipped")
    XCTAssertEqual(try ring.readPointer(), ring.writePointer, "past the skipped dwords")
    XCTAssertEqual(test.cp.hangs, [])
  }

  func testADrawIsRefusedByName() throws {
    let (test, ring) = try broughtUp()
    var sink = try ring.allocate(dwords: 3)
    for dword: UInt32 in [0xC001_2D00, 3, 2] { sink.put(dword) }  // DRAW_INDEX_AUTO, as issue 20 met it
    ring.commit(sink)
    XCTAssertEqual(
      test.cp.hangs,
      ["doorbell 32: DRAW_INDEX_AUTO (opcode 0x2D) is not run by this CP: it has no shaders, and no layout for it"])
  }

  func testHaltingTheMEStopsTheRingAndAComputeQueueRefusesItsPackets() throws {
    let (test, _) = try broughtUp()
    test.cp.registers.modify(CP_ME_CNTL.self) { $0[CP_ME_CNTL.ME_HALT] = true }
    XCTAssertFalse(test.cp.queues.contains { $0.me == 0 })
    var queue = try test.queue(doorbell: 0x10)
    try test.submit(&queue) { try CLEAR_STATE().encode(into: &$0) }
    XCTAssertEqual(
      test.cp.hangs, ["doorbell 16: CLEAR_STATE is a graphics ring's packet: a compute queue does not run it"])
  }
}

/// A VF's GFX submission run by the simulated CP: the frame `SubmissionFrame.graphics` writes,
/// with the CSA mapped into every VM at its virtual address.
final class GraphicsSubmissionTests: XCTestCase {
  func testAPreemptibleJobWritesItsMetadataIntoTheCSAAndSignalsItsFence() throws {
    let (test, ring) = try broughtUp()
    let registers = test.cp.registers
    registers.modify(CP_INT_CNTL_RING0.self) { $0[CP_INT_CNTL_RING0.TIME_STAMP_INT_ENABLE] = true }

    let jobs = try GraphicsJobs(test: test, ring: ring)

    // The IB writes a marker; the job is VMID 2's, preemptible, in a new context.
    let target = try test.memory.allocate(bytes: 4096, domain: .gtt)
    var writer = IndirectBufferWriter(in: target, offsetDwords: 16)
    try writer.write { sink throws(PM4EncodingError) in
      try WRITE_DATA(
        DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, DST_ADDR_LO: UInt32(truncatingIfNeeded: target.gpuAddress),
        DST_ADDR_HI: UInt32(target.gpuAddress >> 32)
      ).encode(into: &sink, payload: CollectionOfOne(0x600D_F00D))
    }
    let fence = try jobs.submit([writer.indirectBuffer(flags: .preempt)])

    XCTAssertEqual(test.cp.hangs, [])
    XCTAssertEqual(target.cpu.load(as: UInt32.self), 0x600D_F00D, "the IB ran")
    XCTAssertEqual(ring.fenceSlot.value, fence, "the fence is written")
    XCTAssertEqual(jobs.status(of: fence), .signaled)
    XCTAssertEqual(
      test.interrupts.withLock { $0.map(\.ringID) }, [0], "one end-of-pipe interrupt, the GFX ring's (ring ID 0)")
    XCTAssertEqual(test.cp.metadataWrites, 2, "the CE metadata, then the DE metadata")
    // The CE payload (10 dwords at 0) and the DE payload (27 at 0x100) are zero but for the GDS
    // backup address; the rest of the CSA is as it was.
    let csaDwords = jobs.csaMemory.cpu.bindMemory(to: UInt32.self)
    XCTAssertEqual(Array(csaDwords[0..<10]), Array(repeating: 0, count: 10))
    XCTAssertEqual(csaDwords[10], 0xEEEE_EEEE)
    let gdsBackup = jobs.csa.gdsBackupAddress
    var de = [UInt32](repeating: 0, count: 27)
    de[22] = UInt32(truncatingIfNeeded: gdsBackup)  // vi_de_ib_state_chained_ib.gds_backup_addrlo
    de[23] = UInt32(gdsBackup >> 32)
    XCTAssertEqual(Array(csaDwords[0x40..<0x40 + 27]), de)
    XCTAssertEqual(test.memory.faultCount, 0)
  }
}

/// What a VF's GFX submissions need beside the ring: the CSA mapped into every VM at its virtual
/// address (filled with 0xEE first, so that what the CP writes shows), the ring's identity, and a
/// fence driver. `submit` writes a frame as the runtime does, for VMID 2's preemptible job in a
/// new context.
struct GraphicsJobs {
  let ring: Ring
  let csa = ContextSaveArea(vmTop: 64 << 30)
  let csaMemory: GPUAllocation
  let identity: GraphicsRingIdentity
  let fences: FenceDriver

  init(test: TestCP, ring: Ring) throws {
    self.ring = ring
    csaMemory = try ContextSaveArea.allocate(in: test.memory)
    csaMemory.cpu.initializeMemory(as: UInt8.self, repeating: 0xEE)
    test.memory.mapIntoEveryVM(csaMemory, at: csa.mappingAddress)
    identity = GraphicsRingIdentity(
      fenceAddress: ring.fenceSlot.gpuAddress, conditionalExecutionAddress: ring.conditionalExecutionSlot.gpuAddress,
      csa: csa, metadataLayout: .chainedIB)
    fences = FenceDriver(name: "gfx", slot: ring.fenceSlot, capacity: 4) { _ in }
  }

  /// Writes one frame with `ibs`; its fence.
  func submit(_ ibs: [IndirectBuffer]) throws -> UInt32 {
    let job = SubmissionJob(context: 5, vmid: 2, preambleStatus: .preamblePresentFirst)
    return try SubmissionFrame.write(ibs, job: job, on: ring, identity: identity, fences: fences, contextSwitch: true)
      .fence
  }

  /// The fence's status once the fences written so far are processed.
  func status(of fence: UInt32) -> FenceStatus {
    _ = fences.process()
    return fences.status(of: fence)
  }
}
