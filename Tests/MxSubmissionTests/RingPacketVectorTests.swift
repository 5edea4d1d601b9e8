import MxBIF50
import MxGFX80
import MxGMC81
import MxOSS30
import MxPM4
import MxSubmission
import XCTest

/// The gfx_v8 ring functions' dwords for fixed inputs. Each expected vector is worked out by hand
/// from the kernel function it mirrors (Linux 6.1 `gfx_v8_0.c`, `gmc_v8_0.c`, `vi.c`) and the
/// `vid.h` macros it uses, the working beside it; register offsets come from the generated
/// register types (the kernel's headers).
final class RingPacketVectorTests: XCTestCase {
  private func dwords(_ emit: (inout PM4Buffer) throws -> Void) throws -> [UInt32] {
    var storage = [UInt32](repeating: 0, count: 64)
    return try storage.withUnsafeMutableBufferPointer { buffer in
      var sink = PM4Buffer(base: buffer.baseAddress!, capacity: buffer.count)
      try emit(&sink)
      return Array(buffer.prefix(sink.count))
    }
  }

  func testWriteRegisterByRingType() throws {
    // PACKET3(WRITE_DATA, 3); control: GFX WRITE_DATA_ENGINE_SEL(1) | WR_CONFIRM, KIQ 1 << 16,
    // compute WR_CONFIRM; reg; 0; val.
    for (ring, control) in [(RingType.gfx, 0x4010_0000 as UInt32), (.kiq, 0x0001_0000), (.compute, 0x0010_0000)] {
      XCTAssertEqual(
        try dwords { try RingPackets.writeRegister(0x1234, 0xABCD, ring: ring, into: &$0) },
        [0xC003_3700, control, 0x1234, 0, 0xABCD], "\(ring)")
    }
  }

  func testIndirectBufferCompute() throws {
    // PACKET3(INDIRECT_BUFFER, 2); gpu_addr & 0xFFFFFFFC; upper_32_bits & 0xFFFF;
    // INDIRECT_BUFFER_VALID (1 << 23) | length_dw | vmid << 24.
    let ib = IndirectBuffer(gpuAddress: 0x0000_1280_0012_3400, lengthDwords: 16)
    XCTAssertEqual(
      try dwords { try RingPackets.indirectBufferCompute(ib, vmid: 3, gdsComputeMaxWaveID: 0, into: &$0) },
      [0xC002_3F00, 0x0012_3400, 0x1280, 0x0380_0010])
    // With AMDGPU_IB_FLAG_RESET_GDS_MAX_WAVE_ID: PACKET3(SET_CONFIG_REG, 1);
    // mmGDS_COMPUTE_MAX_WAVE_ID - PACKET3_SET_CONFIG_REG_START; gds_compute_max_wave_id. Then the IB.
    var reset = ib
    reset.flags = .resetGDSMaxWaveID
    XCTAssertEqual(
      try dwords { try RingPackets.indirectBufferCompute(reset, vmid: 0, gdsComputeMaxWaveID: 0x37, into: &$0) },
      [0xC001_6800, GDS_COMPUTE_MAX_WAVE_ID.info.offset - 0x2000, 0x37, 0xC002_3F00, 0x0012_3400, 0x1280, 0x0080_0010])
    // Values the kernel's OR would spill into the next field are refused.
    var long = ib
    long.lengthDwords = 1 << 20
    XCTAssertThrowsError(
      try dwords { try RingPackets.indirectBufferCompute(long, vmid: 0, gdsComputeMaxWaveID: 0, into: &$0) })
    XCTAssertThrowsError(
      try dwords { try RingPackets.indirectBufferCompute(ib, vmid: 16, gdsComputeMaxWaveID: 0, into: &$0) })
  }

  func testFenceCompute() throws {
    // PACKET3(RELEASE_MEM, 5); EOP_TCL1_ACTION_EN (1 << 16) | EOP_TC_ACTION_EN (1 << 17) |
    // EOP_TC_WB_ACTION_EN (1 << 15) | EVENT_TYPE(CACHE_FLUSH_AND_INV_TS_EVENT = 0x14) | EVENT_INDEX(5)
    // = 0x00038514; DATA_SEL(1 or 2) << 29 | INT_SEL(2 or 0) << 24; addr & 0xFFFFFFFC; upper; seq lo; seq hi.
    XCTAssertEqual(
      try dwords {
        try RingPackets.fenceCompute(address: 0x80_0000_1042, sequence: 0x1_0000_0005, flags: .interrupt, into: &$0)
      },
      [0xC005_4900, 0x0003_8514, 0x2200_0000, 0x1040, 0x80, 5, 1])
    XCTAssertEqual(
      try dwords { try RingPackets.fenceCompute(address: 0x80_0000_1040, sequence: 9, flags: .write64Bit, into: &$0) },
      [0xC005_4900, 0x0003_8514, 0x4000_0000, 0x1040, 0x80, 9, 0])
  }

  func testPipelineSync() throws {
    // PACKET3(WAIT_REG_MEM, 5); MEM_SPACE(1) << 4 | FUNCTION(3) | ENGINE(usepfp) << 8;
    // addr & 0xFFFFFFFC; upper; seq; 0xFFFFFFFF; 4.
    XCTAssertEqual(
      try dwords { try RingPackets.pipelineSync(fenceAddress: 0x80_0000_1043, sequence: 7, ring: .compute, into: &$0) },
      [0xC005_3C00, 0x13, 0x1040, 0x80, 7, 0xFFFF_FFFF, 4])
    XCTAssertEqual(
      try dwords { try RingPackets.pipelineSync(fenceAddress: 0x1040, sequence: 7, ring: .gfx, into: &$0) }[1], 0x113)
  }

  func testVMFlush() throws {
    // gmc_v8_0_emit_flush_gpu_tlb: wreg(VM_CONTEXT8_PAGE_TABLE_BASE_ADDR + vmid - 8, pd >> 12);
    // wreg(VM_INVALIDATE_REQUEST, 1 << vmid); then WAIT_REG_MEM: OPERATION 0 | FUNCTION 0 (always)
    // | ENGINE 0; mmVM_INVALIDATE_REQUEST; 0; 0; 0; 0x20.
    let flush = try dwords {
      try RingPackets.vmFlush(vmid: 9, pageDirectory: 0x12_3456_7000, ring: .compute, into: &$0)
    }
    XCTAssertEqual(
      flush,
      [
        0xC003_3700, 0x0010_0000, VM_CONTEXT9_PAGE_TABLE_BASE_ADDR.info.offset, 0, 0x0123_4567,
        0xC003_3700, 0x0010_0000, VM_INVALIDATE_REQUEST.info.offset, 0, 1 << 9,
        0xC005_3C00, 0, VM_INVALIDATE_REQUEST.info.offset, 0, 0, 0, 0x20,
      ])
    // VMIDs under 8 use the first bank.
    XCTAssertEqual(
      try dwords { try RingPackets.vmFlush(vmid: 3, pageDirectory: 0, ring: .kiq, into: &$0) }[0..<5],
      [0xC003_3700, 0x0001_0000, VM_CONTEXT3_PAGE_TABLE_BASE_ADDR.info.offset, 0, 0])
  }

  func testHDPFlushByMEAndPipe() throws {
    // PACKET3(WAIT_REG_MEM, 5); OPERATION(1) << 6 | FUNCTION(3) | engine; mmGPU_HDP_FLUSH_REQ;
    // mmGPU_HDP_FLUSH_DONE; ref_and_mask twice; 0x20. ME 1: CP2_MASK (0x4) << pipe; ME 2: CP6_MASK
    // (0x40) << pipe; the graphics ring CP0_MASK with ENGINE(1) (PFP).
    let request = GPU_HDP_FLUSH_REQ.info.offset
    let done = GPU_HDP_FLUSH_DONE.info.offset
    XCTAssertEqual(
      try dwords { try RingPackets.hdpFlush(me: 1, pipe: 2, ring: .compute, into: &$0) },
      [0xC005_3C00, 0x43, request, done, 0x10, 0x10, 0x20])
    XCTAssertEqual(
      try dwords { try RingPackets.hdpFlush(me: 2, pipe: 1, ring: .kiq, into: &$0) },
      [0xC005_3C00, 0x43, request, done, 0x80, 0x80, 0x20])
    XCTAssertEqual(
      try dwords { try RingPackets.hdpFlush(me: 0, pipe: 0, ring: .gfx, into: &$0) },
      [0xC005_3C00, 0x143, request, done, 1, 1, 0x20])
    // A compute ring on ME 0 emits nothing (the kernel returns).
    XCTAssertEqual(try dwords { try RingPackets.hdpFlush(me: 0, pipe: 0, ring: .compute, into: &$0) }, [])
  }

  func testInvalidateHDPAndMemorySync() throws {
    XCTAssertEqual(
      try dwords { try RingPackets.invalidateHDP(ring: .compute, into: &$0) },
      [0xC003_3700, 0x0010_0000, HDP_DEBUG0.info.offset, 0, 1])
    // PACKET3(ACQUIRE_MEM, 5); TCL1_ACTION_ENA (1 << 22) | TC_ACTION_ENA (1 << 23) |
    // SH_KCACHE_ACTION_ENA (1 << 27) | SH_ICACHE_ACTION_ENA (1 << 29) | TC_WB_ACTION_ENA (1 << 18);
    // 0xFFFFFFFF; 0xFF; 0; 0; 0xA.
    XCTAssertEqual(
      try dwords { try RingPackets.memorySyncCompute(into: &$0) },
      [0xC005_5800, 0x28C4_0000, 0xFFFF_FFFF, 0xFF, 0, 0, 0xA])
  }

  func testWaveLimit() throws {
    // wreg(SPI_WCL_PIPE_PERCENT_GFX, enable ? 0x1f : 0x07ffffff), then for every other pipe of
    // the first MEC wreg(SPI_WCL_PIPE_PERCENT_CSn, enable ? 1 : 0x7f).
    func expected(_ gfx: UInt32, _ cs: UInt32, pipes: [UInt32]) -> [UInt32] {
      [0xC003_3700, 0x0010_0000, SPI_WCL_PIPE_PERCENT_GFX.info.offset, 0, gfx]
        + pipes.flatMap { [0xC003_3700, 0x0010_0000, $0, 0, cs] }
    }
    let cs = [
      SPI_WCL_PIPE_PERCENT_CS0.info.offset, SPI_WCL_PIPE_PERCENT_CS1.info.offset,
      SPI_WCL_PIPE_PERCENT_CS2.info.offset, SPI_WCL_PIPE_PERCENT_CS3.info.offset,
    ]
    XCTAssertEqual(
      try dwords { try RingPackets.waveLimit(pipe: 0, enable: true, into: &$0) },
      expected(0x1F, 1, pipes: [cs[1], cs[2], cs[3]]))
    XCTAssertEqual(
      try dwords { try RingPackets.waveLimit(pipe: 2, enable: false, into: &$0) },
      expected(0x07FF_FFFF, 0x7F, pipes: [cs[0], cs[1], cs[3]]))
  }

  func testGDSSwitchAndPASIDMapping() throws {
    // Four WRITE_DATA with control WRITE_DATA_ENGINE_SEL(0) | WRITE_DATA_DST_SEL(0) = 0: GDS base,
    // GDS size, GWS (size << GDS_GWS_VMID0__SIZE__SHIFT (16) | base), OA ((1 << (size + base)) -
    // (1 << base)).
    let gds = GDSAllocation(gdsBase: 0x10, gdsSize: 0x20, gwsBase: 1, gwsSize: 2, oaBase: 3, oaSize: 2)
    XCTAssertEqual(
      try dwords { try RingPackets.gdsSwitch(vmid: 2, gds, into: &$0) },
      [
        0xC003_3700, 0, GDS_VMID2_BASE.info.offset, 0, 0x10, 0xC003_3700, 0, GDS_VMID2_SIZE.info.offset, 0, 0x20,
        0xC003_3700, 0, GDS_GWS_VMID2.info.offset, 0, 0x0002_0001, 0xC003_3700, 0, GDS_OA_VMID2.info.offset, 0, 24,
      ])
    // gmc_v8_0_emit_pasid_mapping: wreg(mmIH_VMID_0_LUT + vmid, pasid).
    XCTAssertEqual(
      try dwords { try RingPackets.pasidMapping(vmid: 5, pasid: 0x1234, ring: .compute, into: &$0) },
      [0xC003_3700, 0x0010_0000, IH_VMID_5_LUT.info.offset, 0, 0x1234])
  }

  /// The kernel computes these registers by adding the VMID to the first of a bank; the headers
  /// name each one. Both agree for every VMID.
  func testRegisterArithmeticAgreesWithTheHeaders() throws {
    let pageTables = [
      VM_CONTEXT0_PAGE_TABLE_BASE_ADDR.info.offset, VM_CONTEXT1_PAGE_TABLE_BASE_ADDR.info.offset,
      VM_CONTEXT2_PAGE_TABLE_BASE_ADDR.info.offset, VM_CONTEXT3_PAGE_TABLE_BASE_ADDR.info.offset,
      VM_CONTEXT4_PAGE_TABLE_BASE_ADDR.info.offset, VM_CONTEXT5_PAGE_TABLE_BASE_ADDR.info.offset,
      VM_CONTEXT6_PAGE_TABLE_BASE_ADDR.info.offset, VM_CONTEXT7_PAGE_TABLE_BASE_ADDR.info.offset,
      VM_CONTEXT8_PAGE_TABLE_BASE_ADDR.info.offset, VM_CONTEXT9_PAGE_TABLE_BASE_ADDR.info.offset,
      VM_CONTEXT10_PAGE_TABLE_BASE_ADDR.info.offset, VM_CONTEXT11_PAGE_TABLE_BASE_ADDR.info.offset,
      VM_CONTEXT12_PAGE_TABLE_BASE_ADDR.info.offset, VM_CONTEXT13_PAGE_TABLE_BASE_ADDR.info.offset,
      VM_CONTEXT14_PAGE_TABLE_BASE_ADDR.info.offset, VM_CONTEXT15_PAGE_TABLE_BASE_ADDR.info.offset,
    ]
    let lookUpTables = [
      IH_VMID_0_LUT.info.offset, IH_VMID_1_LUT.info.offset, IH_VMID_2_LUT.info.offset, IH_VMID_3_LUT.info.offset,
      IH_VMID_4_LUT.info.offset, IH_VMID_5_LUT.info.offset, IH_VMID_6_LUT.info.offset, IH_VMID_7_LUT.info.offset,
      IH_VMID_8_LUT.info.offset, IH_VMID_9_LUT.info.offset, IH_VMID_10_LUT.info.offset, IH_VMID_11_LUT.info.offset,
      IH_VMID_12_LUT.info.offset, IH_VMID_13_LUT.info.offset, IH_VMID_14_LUT.info.offset, IH_VMID_15_LUT.info.offset,
    ]
    for vmid in 0..<UInt32(16) {
      XCTAssertEqual(
        try dwords { try RingPackets.vmFlush(vmid: vmid, pageDirectory: 0, ring: .compute, into: &$0) }[2],
        pageTables[Int(vmid)], "VMID \(vmid)")
      XCTAssertEqual(
        try dwords { try RingPackets.pasidMapping(vmid: vmid, pasid: 1, ring: .compute, into: &$0) }[2],
        lookUpTables[Int(vmid)], "VMID \(vmid)")
    }
  }
}
