import MxGenerator
import MxSpecModel
import XCTest

/// Registers inside packets, named from the real specs and decoded field by field: every
/// SET_*_REG range from its base, type-0 packets, WRITE_DATA to a register, COPY_DATA from and to
/// registers, WAIT_REG_MEM on a register, and an offset no register has.
final class PacketRegistersTests: XCTestCase {
  private func decoder() throws -> (PacketDisassembler, PacketRegisters, Spec) {
    let (spec, diagnostics) = Fixtures.packageSpec
    XCTAssertFalse(diagnostics.hasErrors)
    let set = try XCTUnwrap(spec.packetSets.first { $0.name == "pm4_vi" })
    return (PacketDisassembler(set: set, in: spec), PacketRegisters(spec: spec), spec)
  }

  private func offset(of name: String, in spec: Spec) throws -> UInt32 {
    try XCTUnwrap(spec.blocks.lazy.flatMap(\.registers).first { $0.name == name && $0.space == "mmio" }?.offset, name)
  }

  private func lines(_ dwords: [UInt32]) throws -> [String] {
    let (disassembler, registers, _) = try decoder()
    let decoded = disassembler.decode(dwords)
    XCTAssertNil(decoded.error)
    return decoded.packets.flatMap { registers.accesses(of: $0).map(\.line) }
  }

  func testEverySetRangeFromItsBase() throws {
    let (_, _, spec) = try decoder()
    for (packet, opcode, base, register) in [
      ("SET_CONFIG_REG", UInt32(0x68), UInt32(0x2000), "VGT_CACHE_INVALIDATION"),
      ("SET_SH_REG", 0x76, 0x2C00, "SPI_SHADER_PGM_LO_PS"),
      ("SET_CONTEXT_REG", 0x69, 0xA000, "PA_SC_RASTER_CONFIG"),
      ("SET_UCONFIG_REG", 0x79, 0xC000, "SCRATCH_REG0"),
    ] {
      let target = try offset(of: register, in: spec)
      XCTAssertTrue((base..<base + 0x400).contains(target), "\(register) in \(packet)'s range")
      XCTAssertEqual(
        try lines([0xC000_0000 | 1 << 16 | opcode << 8, target - base, 0x1234]).first?.hasPrefix(
          "\(register) (\(Hex.plain(target))) ← 0x1234"), true, packet)
    }
    // The kernel resets GDS_COMPUTE_MAX_WAVE_ID (0x3348) by SET_CONFIG_REG, beyond vid.h's
    // SET_CONFIG_REG_END (0x2C00): named all the same.
    XCTAssertEqual(
      try lines([0xC001_6800, 0x1348, 0x7FF]), ["GDS_COMPUTE_MAX_WAVE_ID (0x3348) ← 0x7FF: MAX_WAVE_ID=0x7FF"])
  }

  func testFieldsByNameWithTheirEnumsAndAnOffsetWithoutARegister() throws {
    let (_, _, spec) = try decoder()
    let control = try offset(of: "CP_HQD_PQ_CONTROL", in: spec)
    // Type 0: CP_HQD_PQ_CONTROL with QUEUE_SIZE 5 and MTYPE 3, then whatever follows it.
    let type0 = try lines([1 << 16 | control, 3 << 15 | 5, 0])
    XCTAssertTrue(type0[0].hasPrefix("CP_HQD_PQ_CONTROL (\(Hex.plain(control))) ← 0x18005: "), type0[0])
    XCTAssertTrue(type0[0].contains(" QUEUE_SIZE=5"), type0[0])
    XCTAssertNotNil(type0[0].range(of: #" MTYPE=[A-Z_0-9]+\(3\)"#, options: .regularExpression), type0[0])
    XCTAssertEqual(type0.count, 2)
    // SET_CONTEXT_REG at 0xA1FF: the spec has no register there.
    XCTAssertEqual(try lines([0xC001_6900, 0x1FF, 5]), ["0xA1FF (no register) ← 0x5"])
  }

  func testWriteDataCopyDataAndWaitRegMem() throws {
    // WRITE_DATA to SCRATCH_REG0, twice to one address (WR_ONE_ADDR).
    XCTAssertEqual(
      try lines([0xC004_3700, 1 << 16, 0xC040, 0, 7, 8]),
      ["SCRATCH_REG0 (0xC040) ← 0x7: SCRATCH_REG0=7", "SCRATCH_REG0 (0xC040) ← 0x8: SCRATCH_REG0=8"])
    // WRITE_DATA to memory names nothing.
    XCTAssertEqual(try lines([0xC003_3700, 5 << 8, 0x1000, 0, 7]), [])
    // COPY_DATA from SCRATCH_REG1 to SCRATCH_REG2 (SRC_SEL and DST_SEL 0: registers).
    XCTAssertEqual(
      try lines([0xC004_4000, 0, 0xC041, 0, 0xC042, 0]),
      ["SCRATCH_REG1 (0xC041) read", "SCRATCH_REG2 (0xC042) written"])
    // WAIT_REG_MEM on SCRATCH_REG0 for 1.
    XCTAssertEqual(
      try lines([0xC005_3C00, 3, 0xC040, 0, 1, 0xFFFF_FFFF, 4]), ["SCRATCH_REG0 (0xC040) waits for 0x1: SCRATCH_REG0=1"]
    )
  }
}
