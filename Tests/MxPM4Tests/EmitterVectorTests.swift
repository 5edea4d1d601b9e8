import MxPM4
import MxPM4Packets
import XCTest

/// Packets as gfx_v8_0.c emits them, with the dwords computed from vid.h's macros.
final class EmitterVectorTests: XCTestCase {
  let address: UInt64 = 0xF_0040_1008
  let sequence: UInt64 = 0x1234_5678_9ABC

  /// gfx_v8_0_ring_emit_fence_gfx, 32-bit sequence, with interrupt.
  func testGfxFenceIsEventWriteEOP() throws {
    let packet = EVENT_WRITE_EOP(
      EVENT_TYPE: 0x14, EVENT_INDEX: .END_OF_PIPE, TC_WB_ACTION_EN: true, TCL1_ACTION_EN: true, TC_ACTION_EN: true,
      ADDRESS_LO: UInt32(truncatingIfNeeded: address) >> 2, ADDRESS_HI: UInt16(address >> 32),
      INT_SEL: .INTERRUPT_AFTER_WRITE_CONFIRM, DATA_SEL: .SEND_32_BIT_LOW,
      DATA_LO: UInt32(truncatingIfNeeded: sequence), DATA_HI: UInt32(sequence >> 32))
    XCTAssertEqual(
      try encoded { try packet.encode(into: &$0) },
      [0xC004_4700, 0x0003_8514, 0x0040_1008, 0x2200_000F, 0x5678_9ABC, 0x1234])
  }

  /// gfx_v8_0_ring_emit_fence_compute, 64-bit sequence, no interrupt.
  func testComputeFenceIsReleaseMem() throws {
    let packet = RELEASE_MEM(
      EVENT_TYPE: 0x14, EVENT_INDEX: .END_OF_PIPE, TC_WB_ACTION_ENA: true, TCL1_ACTION_ENA: true, TC_ACTION_ENA: true,
      DATA_SEL: .SEND_64_BIT_DATA, ADDRESS_LO: UInt32(truncatingIfNeeded: address) >> 2,
      ADDRESS_HI: UInt32(address >> 32),
      DATA_LO: UInt32(truncatingIfNeeded: sequence), DATA_HI: UInt32(sequence >> 32))
    XCTAssertEqual(
      try encoded { try packet.encode(into: &$0) },
      [0xC005_4900, 0x0003_8514, 0x4000_0000, 0x0040_1008, 0xF, 0x5678_9ABC, 0x1234])
  }

  /// gfx_v8_ring_emit_cntxcntl with a context switch and a preamble IB.
  func testContextControl() throws {
    let packet = CONTEXT_CONTROL(
      LOAD_GLOBAL_CONFIG: true, LOAD_PER_CONTEXT_STATE: true, LOAD_GLOBAL_UCONFIG: true, LOAD_GFX_SH_REGS: true,
      LOAD_CS_SH_REGS: true, LOAD_CE_RAM: true, LOAD_ENABLE: true)
    XCTAssertEqual(try encoded { try packet.encode(into: &$0) }, [0xC001_2800, 0x9101_8003, 0])
  }

  /// gfx_v8_0_ring_emit_pipeline_sync: wait (PFP) until the fence in memory equals the sequence.
  func testPipelineSyncIsWaitRegMem() throws {
    let packet = WAIT_REG_MEM(
      FUNCTION: .EQUAL, MEM_SPACE: .MEMORY, ENGINE: .PFP, POLL_ADDRESS_LO: UInt32(truncatingIfNeeded: address),
      POLL_ADDRESS_HI: UInt32(address >> 32), REFERENCE: 7, MASK: 0xFFFF_FFFF, POLL_INTERVAL: 4)
    XCTAssertEqual(
      try encoded { try packet.encode(into: &$0) }, [0xC005_3C00, 0x113, 0x0040_1008, 0xF, 7, 0xFFFF_FFFF, 4])
  }

  /// gfx_v8_0_emit_mem_sync.
  func testMemSyncIsAcquireMem() throws {
    let packet = ACQUIRE_MEM(
      TC_WB_ACTION_ENA: true, TCL1_ACTION_ENA: true, TC_ACTION_ENA: true, SH_KCACHE_ACTION_ENA: true,
      SH_ICACHE_ACTION_ENA: true, COHER_SIZE: 0xFFFF_FFFF, COHER_SIZE_HI: 0xFF, POLL_INTERVAL: 0x0A)
    XCTAssertEqual(
      try encoded { try packet.encode(into: &$0) }, [0xC005_5800, 0x28C4_0000, 0xFFFF_FFFF, 0xFF, 0, 0, 0x0A])
  }

  /// gfx_v8_0_emit_mem_sync on the GFX ring: SURFACE_SYNC with the same cache actions.
  func testGfxMemSyncIsSurfaceSync() throws {
    let packet = SURFACE_SYNC(
      TC_WB_ACTION_ENA: true, TCL1_ACTION_ENA: true, TC_ACTION_ENA: true, SH_KCACHE_ACTION_ENA: true,
      SH_ICACHE_ACTION_ENA: true, COHER_SIZE: 0xFFFF_FFFF, POLL_INTERVAL: 0x0A)
    XCTAssertEqual(try encoded { try packet.encode(into: &$0) }, [0xC003_4300, 0x28C4_0000, 0xFFFF_FFFF, 0, 0x0A])
  }

  /// gfx_v8_0_cp_gfx_start's clear-state brackets and CE partitions, gfx_v8_ring_emit_sb, the
  /// GFX ring's PFP_SYNC_ME and gfx_v8_0_ring_emit_init_cond_exec (before its patch).
  func testTheGfxRingsOwnPackets() throws {
    XCTAssertEqual(
      try encoded { try PREAMBLE_CNTL(COMMAND: .BEGIN_CLEAR_STATE).encode(into: &$0) }, [0xC000_4A00, 2 << 28])
    XCTAssertEqual(
      try encoded { try PREAMBLE_CNTL(COMMAND: .END_CLEAR_STATE).encode(into: &$0) }, [0xC000_4A00, 3 << 28])
    XCTAssertEqual(try encoded { try CLEAR_STATE().encode(into: &$0) }, [0xC000_1200, 0])
    XCTAssertEqual(
      try encoded {
        try SET_BASE(BASE_INDEX: .CE_PARTITION_BASE, ADDRESS_LO: 0x8000, ADDRESS_HI: 0x8000).encode(into: &$0)
      },
      [0xC002_1100, 3, 0x8000, 0x8000])
    XCTAssertEqual(try encoded { try SWITCH_BUFFER().encode(into: &$0) }, [0xC000_8B00, 0])
    XCTAssertEqual(try encoded { try PFP_SYNC_ME().encode(into: &$0) }, [0xC000_4200, 0])
    XCTAssertEqual(
      try encoded {
        try COND_EXEC(
          ADDRESS_LO: UInt32(truncatingIfNeeded: address), ADDRESS_HI: UInt32(address >> 32), EXEC_COUNT: 0x55AA_55AA
        ).encode(into: &$0)
      },
      [0xC003_2200, 0x0040_1008, 0xF, 0, 0x55AA_55AA])
  }

  func testDMADataAndMapProcessRoundTrip() throws {
    let fill = DMA_DATA(
      ENGINE: .PFP, DST_SEL: .DST_ADDR_USING_L2, SRC_SEL: .DATA, CP_SYNC: true, DST_ADDR_LO: 0x1000, DST_ADDR_HI: 2,
      BYTE_COUNT: 0x10_0000, DIS_WC: true, SRC_ADDR_LO: .data(DATA: 0xDEAD_BEEF), SRC_ADDR_HI: .data)
    let process = MAP_PROCESS(
      PASID: 0x8001, DIQ_ENABLE: true, PROCESS_QUANTUM: 10, PAGE_TABLE_BASE: 0xABC_DEF0, SH_MEM_BASES: 0x1_0002,
      SH_MEM_CONFIG: 0x180, GDS_ADDR_LO: 0x40, NUM_GWS: 63, NUM_OAC: 15, GDS_SIZE: 63, NUM_QUEUES: 1023,
      COMPLETION_SIGNAL_LO: 0x2000, COMPLETION_SIGNAL_HI: 3)
    var stream = try encoded { try fill.encode(into: &$0) }
    XCTAssertEqual(stream[1], 0xC030_0001, "PFP | DST_SEL 3 << 20 | SRC_SEL 2 << 29 | CP_SYNC")
    stream += try encoded { try process.encode(into: &$0) }
    XCTAssertEqual(stream.count, 7 + 16)
    XCTAssertEqual(try Pm4ViPacket.decode(stream).map(\.packet), [.DMA_DATA(fill), .MAP_PROCESS(process)])
  }
}
