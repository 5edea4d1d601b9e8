import MxGenerator
import MxSpecModel
import XCTest

/// A ring as `mxgpu ring` lists it: the regions around the pointers, a packet wrapped around the
/// ring's end, garbage, pads as one entry, registers named, an indirect buffer followed or not.
final class RingListingTests: XCTestCase {
  static let pad: UInt32 = 0xFFFF_1000
  /// WRITE_DATA of one value to a register (DST_SEL 0, WR_CONFIRM).
  static func writeRegister(_ offset: UInt32, _ value: UInt32) -> [UInt32] {
    [0xC003_3700, 0x10_0000, offset, 0, value]
  }
  /// INDIRECT_BUFFER of `size` dwords at `address`, VMID 0.
  static func indirectBuffer(_ address: UInt64, _ size: UInt32) -> [UInt32] {
    [0xC002_3F00, UInt32(truncatingIfNeeded: address), UInt32(address >> 32), size]
  }

  private func listing(
    _ ring: [UInt32], read: Int, write: Int, driver: Int, history: Int, memory: RingListing.Memory?
  ) throws -> RingListing {
    let (spec, diagnostics) = Fixtures.packageSpec
    XCTAssertFalse(diagnostics.hasErrors)
    let set = try XCTUnwrap(spec.packetSets.first { $0.name == "pm4_vi" })
    return RingListing(
      ring: ring, readPointer: read, writePointer: write, driverWritePointer: driver, history: history,
      disassembler: PacketDisassembler(set: set, in: spec), registers: PacketRegisters(spec: spec), memory: memory)
  }

  func testARingAroundItsPointersWrappedAroundItsEnd() throws {
    var ring = [UInt32](repeating: Self.pad, count: 64)
    ring.replaceSubrange(56..<58, with: [0xC000_1200, 0])  // CLEAR_STATE, in the history
    let wrapped = Self.writeRegister(0xC040, 0x1234)  // SCRATCH_REG0, across the end
    for (index, dword) in wrapped.enumerated() { ring[(62 + index) % 64] = dword }
    ring.replaceSubrange(3..<7, with: Self.indirectBuffer(0x1000, 5))
    ring[7] = 0x5A5A_5A5A  // garbage: a type-1 header
    ring.replaceSubrange(10..<14, with: [0xC002_1000, 1, 2, 3])  // a NOP with a body, not seen by the CP yet
    let buffer = Self.writeRegister(0xC041, 0xBEEF)  // SCRATCH_REG1
    let listing = try listing(ring, read: 60, write: 10, driver: 14, history: 8) { address, dwords in
      address == 0x1000 && dwords == 5 ? buffer : nil
    }
    XCTAssertEqual(
      listing.lines(name: "gfx"),
      [
        "gfx: 64 dwords; read pointer 60, write pointer 10, driver's write pointer 14",
        "history: the 8 dwords before the read pointer",
        "  0052: NOP pad × 4",
        "  0056: CLEAR_STATE COMMAND=0",
        "  0058: NOP pad × 2",
        "read pointer 60: to run, up to the write pointer 10",
        "  0060: NOP pad × 2",
        "  0062: WRITE_DATA DST_SEL=REGISTER(0) WR_ONE_ADDR=0 WR_CONFIRM=1 CACHE_POLICY=LRU(0) ENGINE_SEL=ME(0) "
          + "DST_ADDR_LO=0xC040 DST_ADDR_HI=0 payload=[0x1234]",
        "      SCRATCH_REG0 (0xC040) ← 0x1234: SCRATCH_REG0=0x1234",
        "  0003: INDIRECT_BUFFER SWAP=0 IB_BASE_LO=0x400 IB_BASE_HI=0 IB_SIZE=5 CHAIN=0 PRE_ENB=0 TCL2_VOLATILE=0 "
          + "VALID=0 VMID=0 CACHE_POLICY=LRU(0)",
        "      indirect buffer at 0x1000, 5 dwords:",
        "        0000: WRITE_DATA DST_SEL=REGISTER(0) WR_ONE_ADDR=0 WR_CONFIRM=1 CACHE_POLICY=LRU(0) ENGINE_SEL=ME(0) "
          + "DST_ADDR_LO=0xC041 DST_ADDR_HI=0 payload=[0xBEEF]",
        "            SCRATCH_REG1 (0xC041) ← 0xBEEF: SCRATCH_REG1=0xBEEF",
        "  0007: 1 dword of garbage (invalid packet type 1)",
        "  0008: NOP pad × 2",
        "write pointer 10: written by the driver, not seen by the CP, up to 14",
        "  0010: NOP payload=[0x1, 0x2, 0x3]",
      ])
    XCTAssertEqual(listing.entries.filter { $0.region == .pending }.count, 5)
  }

  func testAnIdleRingIsAllHistoryAndAnUnreadableBufferIsSaidSo() throws {
    var ring = [UInt32](repeating: Self.pad, count: 16)
    ring.replaceSubrange(8..<12, with: Self.indirectBuffer(0x8000, 16))
    let idle = try listing(ring, read: 12, write: 12, driver: 12, history: 1000, memory: nil)
    XCTAssertEqual(idle.historyDwords, 16, "at most the whole ring")
    XCTAssertEqual(
      idle.lines(name: "comp_1.0.0"),
      [
        "comp_1.0.0: 16 dwords; read pointer 12, write pointer 12, driver's write pointer 12",
        "history: the 16 dwords before the read pointer",
        "  0012: NOP pad × 12",
        "  0008: INDIRECT_BUFFER SWAP=0 IB_BASE_LO=0x2000 IB_BASE_HI=0 IB_SIZE=0x10 CHAIN=0 PRE_ENB=0 "
          + "TCL2_VOLATILE=0 VALID=0 VMID=0 CACHE_POLICY=LRU(0)",
        "      indirect buffer at 0x8000, 16 dwords: its memory is not readable here",
        "read pointer 12 = write pointer: nothing to run",
      ])
  }

  func testAChainOfBuffersIsFollowedOnlySoDeep() throws {
    // Every buffer chains to itself: the listing stops at its depth, not in a loop.
    let chain: [UInt32] = [0xC002_3F00, 0x2000, 0, 4 | 1 << 20]
    var ring = [UInt32](repeating: Self.pad, count: 16)
    ring.replaceSubrange(0..<4, with: Self.indirectBuffer(0x2000, 4))
    let listing = try listing(ring, read: 0, write: 4, driver: 4, history: 0) { address, _ in
      address == 0x2000 ? chain : nil
    }
    var depth = 0
    var buffer = listing.entries.first?.indirectBuffer
    while let entries = buffer?.entries {
      depth += 1
      buffer = entries.first?.indirectBuffer
    }
    XCTAssertEqual(depth, 4)
  }
}
