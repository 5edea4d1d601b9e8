import MxClearState
import MxGFX80
import MxKIQ
import MxMMIO
import MxMemory
import MxPM4
import MxSimulator
import MxSubmission
import XCTest

/// The GFX ring's bring-up against vectors worked by hand from `gfx_v8_0_cp_gfx_resume`,
/// `gfx_v8_0_set_cpg_door_bell`, `gfx_v8_0_cp_gfx_start` and `gfx_v8_0_raster_config`.
final class GraphicsRingSetupTests: XCTestCase {
  private let memory = SimulatedGPUMemory()

  private func gfxRing() throws -> Ring {
    var writeback = try WritebackSlots(gpuMemory: memory)
    return try Ring(
      name: "gfx", sizeInBytes: Ring.sizeInBytes(submissionDepth: 2), doorbellIndex: GraphicsRingSetup.doorbell,
      doorbells: RegisterFile(), memory: memory, writeback: &writeback)
  }

  private func write<R: Register>(_ register: R.Type, _ value: UInt32) -> BusAccess {
    .write(offset: register.info.offset, value: value)
  }

  func testTheRingsRegistersInTheDriversOrder() throws {
    let ring = try gfxRing()
    let file = RegisterFile()
    file.write32(0x8000_0001, at: CP_RB_DOORBELL_CONTROL.info.offset)  // HIT set, a bit the driver keeps
    file.write32(0x1500_0010, at: CP_ME_CNTL.info.offset)  // the three engines halted, an icache bit
    let registers = RecordingBus(recording: file)
    GraphicsRingSetup.programPointers(ring: ring, registers: registers)
    GraphicsRingSetup.programBase(ring: ring, registers: registers)
    GraphicsRingSetup.startEngines(registers: registers)
    let (rptr, wptr, base) = (ring.readPointerSlot.gpuAddress, ring.writePointerSlot.gpuAddress, ring.buffer.gpuAddress)
    // 8 KiB: RB_BUFSZ log2(8192 / 8) = 10, RB_BLKSZ 8, MTYPE 3, MIN_IB_AVAILSZ 1.
    let control: UInt32 = 10 | 8 << 8 | 3 << 15 | 1 << 22
    XCTAssertEqual(
      registers.trace,
      [
        write(CP_RB_WPTR_DELAY.self, 0), write(CP_RB_VMID.self, 0), write(CP_RB0_CNTL.self, control),
        write(CP_RB0_CNTL.self, control | 1 << 31), write(CP_RB0_WPTR.self, 0),
        write(CP_RB0_RPTR_ADDR.self, UInt32(truncatingIfNeeded: rptr)),
        write(CP_RB0_RPTR_ADDR_HI.self, UInt32(rptr >> 32) & 0xFF),
        write(CP_RB_WPTR_POLL_ADDR_LO.self, UInt32(truncatingIfNeeded: wptr)),
        write(CP_RB_WPTR_POLL_ADDR_HI.self, UInt32(wptr >> 32)),
        // After mdelay(1).
        write(CP_RB0_CNTL.self, control), write(CP_RB0_BASE.self, UInt32(truncatingIfNeeded: base >> 8)),
        write(CP_RB0_BASE_HI.self, UInt32(base >> 40)),
        .read(offset: CP_RB_DOORBELL_CONTROL.info.offset, value: 0x8000_0001),
        write(CP_RB_DOORBELL_CONTROL.self, 0x4000_0001 | 0x20 << 2),
        write(CP_RB_DOORBELL_RANGE_LOWER.self, 0x20 << 2), write(CP_RB_DOORBELL_RANGE_UPPER.self, 0x007F_FFFC),
        // gfx_v8_0_cp_gfx_start.
        write(CP_MAX_CONTEXT.self, 7), write(CP_ENDIAN_SWAP.self, 0), write(CP_DEVICE_ID.self, 1),
        .read(offset: CP_ME_CNTL.info.offset, value: 0x1500_0010), write(CP_ME_CNTL.self, 0x10),
      ])
  }

  func testTheRasterConfigurationOfEveryRenderBackend() {
    let tonga = RasterConfiguration.allRenderBackends(.tonga)
    XCTAssertEqual(tonga.config.rawValue, 0x1600_0012)
    XCTAssertEqual(tonga.config1.rawValue, 0x2A)
    let fiji = RasterConfiguration.allRenderBackends(.fiji)
    XCTAssertEqual(fiji.config.rawValue, 0x3A00_161A)
    XCTAssertEqual(fiji.config1.rawValue, 0x2E)
  }

  func testTheClearStatePreambleDwordForDword() throws {
    let ring = try gfxRing()
    let extents = ViClearState.contextExtents
    XCTAssertEqual(GraphicsRingSetup.clearStateDwords(extents), 912, "gfx_v8_0_get_csb_size for vi_cs_data")
    try GraphicsRingSetup.emitClearState(on: ring, extents: extents, raster: .allRenderBackends(.fiji))
    var expected: [UInt32] = [0xC000_4A00, 0x2000_0000, 0xC001_2800, 0x8000_0000, 0x8000_0000]
    for extent in extents {
      expected += [0xC000_6900 | UInt32(extent.values.count) << 16, extent.registerOffset - 0xA000] + extent.values
    }
    expected += [0xC002_6900, 0xD4, 0x3A00_161A, 0x2E]  // PA_SC_RASTER_CONFIG is 0xA0D4
    expected += [0xC000_4A00, 0x3000_0000, 0xC000_1200, 0, 0xC002_1100, 3, 0x8000, 0x8000]
    XCTAssertEqual(expected.count, 916)
    let written = Array(ring.buffer.cpu.bindMemory(to: UInt32.self).prefix(1024))
    XCTAssertEqual(Array(written.prefix(916)), expected)
    XCTAssertTrue(written.dropFirst(916).allSatisfy { $0 == Ring.nop }, "padded to 256 dwords")
    XCTAssertEqual(ring.writePointer, 1024)
  }
}
