import MxCSA
import MxGMC81
import MxPM4
import MxSubmission
import XCTest

/// The GFX ring's own functions' dwords for fixed inputs, each worked out by hand from the
/// Linux 6.1 `gfx_v8_0.c` function it mirrors and `vid.h`'s macros, the working beside it.
final class GraphicsRingPacketVectorTests: XCTestCase {
  private func dwords(_ emit: (inout PM4Buffer) throws -> Void) throws -> [UInt32] {
    var storage = [UInt32](repeating: 0, count: 128)
    return try storage.withUnsafeMutableBufferPointer { buffer in
      var sink = PM4Buffer(base: buffer.baseAddress!, capacity: buffer.count)
      try emit(&sink)
      return Array(buffer.prefix(sink.count))
    }
  }

  func testFenceGraphicsIsTwoEndOfPipeEvents() throws {
    // gfx_v8_0_ring_emit_fence_gfx: twice PACKET3(EVENT_WRITE_EOP, 4) = 0xC0044700;
    // EOP_TCL1_ACTION_EN (1 << 16) | EOP_TC_ACTION_EN (1 << 17) | EOP_TC_WB_ACTION_EN (1 << 15) |
    // EVENT_TYPE(CACHE_FLUSH_AND_INV_TS_EVENT = 0x14) | EVENT_INDEX(5) << 8 = 0x00038514;
    // addr & 0xFFFFFFFC; upper & 0xFFFF | DATA_SEL << 29 | INT_SEL << 24; seq lo; seq hi.
    // The first: seq - 1, DATA_SEL(1), INT_SEL(0). The second: seq, DATA_SEL(1 or 2), INT_SEL(2 or 0).
    XCTAssertEqual(
      try dwords {
        try RingPackets.fenceGraphics(
          address: 0xF_0040_100B, sequence: 0x1234_5678_9ABC, flags: .interrupt, into: &$0)
      },
      [
        0xC004_4700, 0x0003_8514, 0x0040_1008, 0x2000_000F, 0x5678_9ABB, 0x1234,
        0xC004_4700, 0x0003_8514, 0x0040_1008, 0x2200_000F, 0x5678_9ABC, 0x1234,
      ])
    // 64-bit, no interrupt; sequence 0 makes the first event's value all ones.
    XCTAssertEqual(
      try dwords { try RingPackets.fenceGraphics(address: 0x80_0000_1040, sequence: 0, flags: .write64Bit, into: &$0) },
      [
        0xC004_4700, 0x0003_8514, 0x1040, 0x2000_0080, 0xFFFF_FFFF, 0xFFFF_FFFF,
        0xC004_4700, 0x0003_8514, 0x1040, 0x4000_0080, 0, 0,
      ])
    // A fence that does not fit writes neither event.
    var storage = [UInt32](repeating: 0, count: 11)
    try storage.withUnsafeMutableBufferPointer { buffer in
      var sink = PM4Buffer(base: buffer.baseAddress!, capacity: buffer.count)
      XCTAssertThrowsError(try RingPackets.fenceGraphics(address: 0, sequence: 1, flags: [], into: &sink))
      XCTAssertEqual(sink.count, 0)
    }
  }

  func testVMFlushGraphicsEndsWithPFPSyncME() throws {
    // gfx_v8_0_ring_emit_vm_flush on the GFX ring: the TLB flush with gfx emit_wreg (control
    // WRITE_DATA_ENGINE_SEL(1) << 30 | WR_CONFIRM (1 << 20) = 0x40100000), the always-passing
    // WAIT_REG_MEM by the ME, then PACKET3(PFP_SYNC_ME, 0) = 0xC0004200; 0.
    XCTAssertEqual(
      try dwords { try RingPackets.vmFlushGraphics(vmid: 4, pageDirectory: 0x40_0000_0000, into: &$0) },
      [
        0xC003_3700, 0x4010_0000, VM_CONTEXT4_PAGE_TABLE_BASE_ADDR.info.offset, 0, 0x0400_0000,
        0xC003_3700, 0x4010_0000, VM_INVALIDATE_REQUEST.info.offset, 0, 1 << 4,
        0xC005_3C00, 0, VM_INVALIDATE_REQUEST.info.offset, 0, 0, 0, 0x20,
        0xC000_4200, 0,
      ])
  }

  func testVGTFlushSwitchBufferAndMemorySync() throws {
    // gfx_v8_0_ring_emit_vgt_flush: PACKET3(EVENT_WRITE, 0) = 0xC0004600;
    // EVENT_TYPE(VS_PARTIAL_FLUSH = 0xF) | EVENT_INDEX(4) << 8; again with VGT_FLUSH (0x24), index 0.
    XCTAssertEqual(try dwords { try RingPackets.vgtFlush(into: &$0) }, [0xC000_4600, 0x40F, 0xC000_4600, 0x24])
    // gfx_v8_ring_emit_sb: PACKET3(SWITCH_BUFFER, 0) = 0xC0008B00; 0.
    XCTAssertEqual(try dwords { try RingPackets.switchBuffer(into: &$0) }, [0xC000_8B00, 0])
    // gfx_v8_0_emit_mem_sync: PACKET3(SURFACE_SYNC, 3) = 0xC0034300; TCL1 (1 << 22) | TC (1 << 23)
    // | SH_KCACHE (1 << 27) | SH_ICACHE (1 << 29) | TC_WB (1 << 18) = 0x28C40000; 0xFFFFFFFF; 0; 0xA.
    XCTAssertEqual(
      try dwords { try RingPackets.memorySyncGraphics(into: &$0) }, [0xC003_4300, 0x28C4_0000, 0xFFFF_FFFF, 0, 0xA])
  }

  func testContextControlByStatus() throws {
    // gfx_v8_ring_emit_cntxcntl on a VF: emit_ce_meta, then (on a context switch) the VGT flush,
    // then PACKET3(CONTEXT_CONTROL, 1) = 0xC0012800; dw2; 0. dw2 = 0x80000000, on a context
    // switch | 0x8001 | 0x01000000 | 0x10002 and | 0x10000000 with PREAMBLE_IB_PRESENT; without
    // one | 0x10000000 only with PREAMBLE_IB_PRESENT_FIRST.
    let csa = ContextSaveArea(vmTop: 1 << 40)
    let meta = try dwords { try CSAMetadata.emitConstantEngine(csa: csa, layout: .regular, into: &$0) }
    let vgt = try dwords { try RingPackets.vgtFlush(into: &$0) }
    let cases: [(ContextStatus, [UInt32], UInt32)] = [
      ([.contextSwitch, .preamblePresent], vgt, 0x9101_8003),
      ([.contextSwitch], vgt, 0x8101_8003),
      ([.contextSwitch, .preamblePresentFirst], vgt, 0x8101_8003),
      ([.preamblePresentFirst, .preamblePresent], [], 0x9000_0000),
      ([.preamblePresent], [], 0x8000_0000),
      ([], [], 0x8000_0000),
    ]
    for (status, flush, control) in cases {
      XCTAssertEqual(
        try dwords { try RingPackets.contextControl(status, csa: csa, layout: .regular, into: &$0) },
        meta + flush + [0xC001_2800, control, 0], "\(status)")
    }
  }

  func testConditionalExecutionIsPatchedToTheFrameEnd() throws {
    // gfx_v8_0_ring_emit_init_cond_exec: PACKET3(COND_EXEC, 3) = 0xC0032200; lower_32_bits(addr);
    // upper_32_bits(addr); 0; 0x55AA55AA. _patch_cond_exec: the placeholder becomes the count of
    // dwords after it up to the last one written (cur - offset, cur = wptr - 1).
    var storage = [UInt32](repeating: 0, count: 32)
    storage.withUnsafeMutableBufferPointer { buffer in
      var sink = PM4Buffer(base: buffer.baseAddress!, capacity: buffer.count)
      sink.put(0xC000_1000)  // something before it
      let placeholder = try! RingPackets.conditionalExecution(address: 0x80_0000_1050, into: &sink)
      XCTAssertEqual(placeholder, 5)
      XCTAssertEqual(Array(buffer[1..<6]), [0xC003_2200, 0x1050, 0x80, 0, 0x55AA_55AA])
      for dword in 0..<UInt32(9) { sink.put(dword) }
      RingPackets.patchConditionalExecution(at: placeholder, in: &sink)
      XCTAssertEqual(buffer[5], 9)
    }
    // On a ring the count is taken across the wrap, as the kernel's second case computes it.
    var ringStorage = [UInt32](repeating: 0, count: 16)
    ringStorage.withUnsafeMutableBufferPointer { buffer in
      var ring = PM4Ring(base: buffer.baseAddress!, mask: 15, writePointer: 12, allowance: 16)
      let placeholder = try! RingPackets.conditionalExecution(address: 0x1050, into: &ring)
      XCTAssertEqual(placeholder & 15, 0)
      XCTAssertEqual(buffer[0], RingPackets.conditionalExecutionPlaceholder)
      for dword in 0..<UInt32(6) { ring.put(dword) }
      RingPackets.patchConditionalExecution(at: placeholder, in: &ring)
      XCTAssertEqual(buffer[0], 6)
    }
  }
}
