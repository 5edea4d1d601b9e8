import MxGFX80
import MxMMIO
import MxMemory
import MxStructures
import XCTest

/// The generated structure views read and write caller memory at the dwords of
/// include/vi_structs.h (facts 3.4, 4.2), typed by the registers members mirror.
final class StructureViewTests: XCTestCase {
  /// Runs `body` with `dwords` zeroed dwords of memory, and returns them afterwards.
  private func withMemory(dwords: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows -> [UInt32] {
    let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: dwords * 4, alignment: 4096)
    defer { memory.deallocate() }
    memory.initializeMemory(as: UInt8.self, repeating: 0)
    try body(memory)
    return Array(memory.bindMemory(to: UInt32.self))
  }

  func testSizesAreTheHeaders() {
    XCTAssertEqual(vi_mqd.dwordCount, 512)
    XCTAssertEqual(vi_mqd_allocation.byteCount, 2064)
    XCTAssertEqual(vi_gfx_meta_data.byteCount, 4096)
    XCTAssertEqual(vi_gfx_meta_data_chained_ib.byteCount, 4096)
    XCTAssertEqual(vi_ce_ib_state.dwordCount, 4)
    XCTAssertEqual(vi_de_ib_state.dwordCount, 17)
    XCTAssertEqual(vi_ce_ib_state_chained_ib.dwordCount, 10)
    XCTAssertEqual(vi_de_ib_state_chained_ib.dwordCount, 27)
  }

  func testAMirroredMemberIsTypedByItsRegister() throws {
    let dwords = try withMemory(dwords: vi_mqd.dwordCount) { memory in
      let mqd = try vi_mqd(in: memory)
      mqd.cp_hqd_pq_control[CP_HQD_PQ_CONTROL.QUEUE_SIZE] = 17
      mqd.cp_hqd_pq_control[CP_HQD_PQ_CONTROL.RPTR_BLOCK_SIZE] = 9
      mqd.cp_hqd_pq_control[CP_HQD_PQ_CONTROL.KMD_QUEUE] = true
      mqd.header = 0xC031_0800
      mqd.cp_hqd_active[CP_HQD_ACTIVE.ACTIVE] = true
      XCTAssertEqual(mqd.cp_hqd_pq_control[CP_HQD_PQ_CONTROL.QUEUE_SIZE], 17)
    }
    XCTAssertEqual(dwords[145], 0x8000_0911)
    XCTAssertEqual(dwords[0], 0xC031_0800)
    XCTAssertEqual(dwords[130], 1)
    XCTAssertEqual(dwords.enumerated().filter { $0.element != 0 }.map(\.offset), [0, 130, 145])
  }

  func testTheAllocationNestsTheMQDAndKeepsItsTailAt2048() throws {
    let dwords = try withMemory(dwords: vi_mqd_allocation.dwordCount) { memory in
      let allocation = try vi_mqd_allocation(in: memory)
      allocation.zero()
      allocation.dynamic_cu_mask = 0xFFFF_FFFF
      allocation.dynamic_rb_mask = 0xFFFF_FFFF
      allocation.mqd.compute_misc_reserved = RegisterValue(rawValue: 3)
    }
    XCTAssertEqual(dwords[0x808 / 4], 0xFFFF_FFFF)
    XCTAssertEqual(dwords[0x80C / 4], 0xFFFF_FFFF)
    XCTAssertEqual(dwords[32], 3)
  }

  func testAddressesAreStoredAsTheDriverStoresThem() throws {
    let ring: UInt64 = 0x00F4_0012_3400
    let wptr: UInt64 = 0x0000_0040_2048
    let dwords = try withMemory(dwords: vi_mqd.dwordCount) { memory in
      let mqd = try vi_mqd(in: memory)
      try mqd.cp_hqd_pq_base.set(ring)
      try mqd.cp_hqd_pq_wptr_poll_addr.set(wptr)
      try mqd.cp_mqd_base_addr.set(0x1_0000_8000)
      XCTAssertEqual(mqd.cp_hqd_pq_base.value, ring)
      XCTAssertEqual(mqd.cp_hqd_pq_wptr_poll_addr.value, wptr)
    }
    // PQ base: address >> 8, low then high 32 bits (gfx_v8_0_mqd_init).
    XCTAssertEqual([dwords[136], dwords[137]], [UInt32(truncatingIfNeeded: ring >> 8), UInt32(ring >> 40)])
    XCTAssertEqual([dwords[141], dwords[142]], [0x0040_2048, 0])
    XCTAssertEqual([dwords[128], dwords[129]], [0x0000_8000, 1])
  }

  func testAMisalignedOrTooWideAddressIsRefusedAndNothingIsWritten() throws {
    let dwords = try withMemory(dwords: vi_mqd.dwordCount) { memory in
      let mqd = try vi_mqd(in: memory)
      XCTAssertThrowsError(try mqd.cp_hqd_pq_base.set(0x1234_5680)) {
        XCTAssertEqual($0 as? AddressError, .misaligned(address: 0x1234_5680, alignment: 256))
      }
      XCTAssertThrowsError(try mqd.cp_hqd_eop_base_addr.set(1 << 48)) {
        XCTAssertEqual($0 as? AddressError, .tooWide(address: 1 << 48, bits: 48))
      }
      XCTAssertThrowsError(try mqd.cp_hqd_pq_rptr_report_addr.set(0x1002)) {
        XCTAssertEqual($0 as? AddressError, .misaligned(address: 0x1002, alignment: 4))
      }
    }
    XCTAssertTrue(dwords.allSatisfy { $0 == 0 })
  }

  func testMetadataPayloadsLieWhereTheCPReadsThem() throws {
    let csa: UInt64 = 0xF_FFE0_0000
    let regular = try withMemory(dwords: 1024) { memory in
      let meta = try vi_gfx_meta_data(in: memory)
      meta.de_payload.gds_backup_addrlo = UInt32(truncatingIfNeeded: csa + 0x1000)
      meta.de_payload.gds_backup_addrhi = UInt32(csa >> 32)
      meta.DeIbBaseAddrLo = 1
      meta.ce_payload.ce_ib_completion_status = 2
    }
    XCTAssertEqual(regular[0x100 / 4 + 12], 0xFFE0_1000)
    XCTAssertEqual(regular[0x100 / 4 + 13], 0xF)
    XCTAssertEqual(regular[0x144 / 4], 1)
    XCTAssertEqual(regular[0], 2)
    let chained = try withMemory(dwords: 1024) { memory in
      let meta = try vi_gfx_meta_data_chained_ib(in: memory)
      meta.de_payload.gds_backup_addrlo = 7
      meta.DeIbBaseAddrHi = 8
      meta.reserved2[930] = 9
    }
    XCTAssertEqual(chained[0x100 / 4 + 22], 7)
    XCTAssertEqual(chained[0x170 / 4], 8)
    XCTAssertEqual(chained[1023], 9)
  }

  func testAViewMustFitAndBeAligned() throws {
    _ = try withMemory(dwords: 600) { memory in
      XCTAssertThrowsError(try vi_mqd(in: memory, atByte: 4 * 100)) {
        XCTAssertEqual($0 as? MemoryViewError, .outOfBounds(offset: 400, needed: 2048, available: 2400))
      }
      XCTAssertThrowsError(try vi_ce_ib_state(in: memory, atByte: 2)) {
        XCTAssertEqual($0 as? MemoryViewError, .misaligned(offset: 2))
      }
      XCTAssertThrowsError(try vi_ce_ib_state(in: memory, atByte: -4))
      XCTAssertNoThrow(try vi_mqd(in: memory, atByte: 4 * 88))
    }
  }
}
