import Foundation
import MxGenerator
import MxPM4
import MxPM4Packets
import XCTest

/// `gen decode` decodes from the spec model; drivers use the generated decoder. Both come from one
/// spec and must agree: on valid streams (same packets, same boundaries) and on corrupted ones
/// (an error at the same dword).
final class DisassemblerAgreementTests: XCTestCase {
  static let specs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Specs").path

  func testTheGeneratedOpcodeNamesAreTheSpecs() throws {
    let (spec, _) = Generator().check(specsAt: Self.specs)
    let names = try XCTUnwrap(spec.opcodeNames.first { $0.packetSet == "pm4_vi" })
    let byValue = Dictionary(uniqueKeysWithValues: names.opcodes.map { ($0.value, $0.name) })
    for opcode in UInt8.min...UInt8.max {
      XCTAssertEqual(Pm4ViPacket.opcodeName(opcode).map(\.description), byValue[opcode], "opcode \(opcode)")
    }
    XCTAssertEqual(Pm4ViPacket.opcodeName(0x2D).map(\.description), "DRAW_INDEX_AUTO")
  }

  func testDisassemblerAndGeneratedDecoderAgree() throws {
    let (spec, diagnostics) = Generator().check(specsAt: Self.specs)
    XCTAssertFalse(diagnostics.hasErrors)
    let disassembler = PacketDisassembler(set: try XCTUnwrap(spec.packetSets.first { $0.name == "pm4_vi" }))
    var stream: [UInt32] = [0xC006_A000, 0, 0x0303_0303, 0, 0, 0, 0, 0, 0xFFFF_1000]
    for ring in 0..<8 {
      stream += try encoded { try mapQueues(ring: ring, mqd: 0x8000, wptr: 0x9000).encode(into: &$0) }
    }
    stream += try encoded {
      try COPY_DATA(
        SRC_SEL: 0, DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, SRC_ADDR_LO: .register(SRC_REG_OFFSET: 0xC040),
        SRC_ADDR_HI: .register, DST_ADDR_LO: .memory(DST_ADDR_LO: 0x2000), DST_ADDR_HI: .memory(DST_ADDR_HI: 1)
      ).encode(into: &$0)
    }
    stream += [0xC003_3700, 0x0001_0000, 0xC040, 0, 0xCAFE_DEAD, 0x8000_0000, 0x0001_2345, 0x77]
    try assertAgreement(stream, disassembler)

    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2_000 {
      var corrupted = stream
      let position = Int.random(in: 0..<corrupted.count, using: &generator)
      corrupted[position] ^= 1 << UInt32.random(in: 0...31, using: &generator)
      try assertAgreement(corrupted, disassembler)
    }
  }

  private func assertAgreement(_ stream: [UInt32], _ disassembler: PacketDisassembler) throws {
    let (packets, disassemblerError) = disassembler.decode(stream)
    do {
      let decoded = try Pm4ViPacket.decode(stream)
      XCTAssertNil(disassemblerError, "disassembler rejects what the generated decoder accepts: \(stream)")
      XCTAssertEqual(decoded.map(\.index), packets.map(\.index))
      XCTAssertEqual(decoded.map(\.dwordCount), packets.map(\.dwordCount))
      XCTAssertEqual(decoded.map { Self.name(of: $0.packet) }, packets.map(\.name))
    } catch {
      XCTAssertEqual(
        disassemblerError?.dwordIndex, error.dwordIndex,
        "\(error) vs \(String(describing: disassemblerError))")
    }
  }

  /// The case name of a generated decoded packet, in the disassembler's spelling.
  static func name(of packet: Pm4ViPacket) -> String {
    let caseName = String(String(describing: packet).prefix { $0 != "(" })
    switch caseName {
    case "type0": return "TYPE0"
    case "type2": return "TYPE2"
    default: return caseName
    }
  }
}
