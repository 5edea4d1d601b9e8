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

/// The simulated CP's GFX ring, brought up as `gfx_v8_0_cp_gfx_resume` and `_start` do it: it
/// comes up when the ME and PFP are un-halted, runs its clear-state preamble into the context
/// registers, answers the ring test, runs COND_EXEC, and goes when the ME is halted again.
final class GraphicsRingTests: XCTestCase {
  private func broughtUp(chip: VIChip = .fiji) throws -> (TestCP, Ring) {
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
