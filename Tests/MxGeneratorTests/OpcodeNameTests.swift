import Foundation
import MxGenerator
import MxHeaderImport
import MxSpecModel
import XCTest

/// PM4 opcode names from a packet header to the decoder: the importer's rules on a small header
/// written for the purpose, the validator's checks against a packet set, and the committed names.
final class OpcodeNameTests: XCTestCase {
  let header = """
    #define	PACKET_TYPE3	3
    #define	PACKET3_NOP					0x10
    #define	PACKET3_SET_BASE				0x11
    #define		PACKET3_BASE_INDEX(x)                  ((x) << 0)
    #define	PACKET3_DRAW_INDEX_AUTO				0x2D
    #define	PACKET3_WRITE_DATA				0x37
    #define		WRITE_DATA_DST_SEL(x)                   ((x) << 8)
    #define	PACKET3_PREAMBLE_BEGIN_CLEAR_STATE	(2 << 28)
    #define	PACKET3_SET_CONTEXT_REG_START			0x0000a000
    """

  private let packets = """
    <packets name="demo">
      <packet name="NOP" type="3" opcode="0x10"/>
      <packet name="WRITE_DATA" type="3" opcode="0x37"/>
    </packets>
    """

  func testTheImportRules() throws {
    let (names, report) = try OpcodeImporter(packetSet: "demo").run(header: header, path: "vid.h")
    XCTAssertEqual(names.packetSet, "demo")
    XCTAssertEqual(names.opcodes.map(\.name), ["NOP", "SET_BASE", "DRAW_INDEX_AUTO", "WRITE_DATA"])
    XCTAssertEqual(names.opcodes.map(\.value), [0x10, 0x11, 0x2D, 0x37])
    XCTAssertEqual(names.opcodes.map(\.location.line), [2, 3, 5, 6])
    XCTAssertEqual(
      report, ["demo: 4 opcodes", "PACKET3_SET_CONTEXT_REG_START: left out, 0xA000 is wider than an 8-bit opcode"])
  }

  func testTwoNamesForOneOpcodeStopTheImport() {
    XCTAssertThrowsError(
      try OpcodeImporter(packetSet: "demo").run(header: header + "\n#define PACKET3_NOP_AGAIN 0x10\n", path: "vid.h")
    ) {
      XCTAssertEqual("\($0)", "vid.h:10: PACKET3_NOP_AGAIN has the value of PACKET3_NOP")
    }
  }

  private func check(_ names: OpcodeNames, packets: String? = nil) throws -> (Spec, Diagnostics) {
    let folder = try Fixtures.temporaryFolder()
    let xml = SpecXMLWriter.document(for: names, source: "vid.h", doc: "Demo opcodes.")
    try Data(xml.utf8).write(to: URL(fileURLWithPath: folder + "/opcodes.xml"))
    let set = #"<?xml version="1.0"?><spec format="1">"# + (packets ?? self.packets) + "</spec>"
    try Data(set.utf8).write(to: URL(fileURLWithPath: folder + "/packets.xml"))
    return Generator().check(specsAt: folder)
  }

  func testTheImportedDocumentLoadsBackAndNamesWhatTheSetHasNoLayoutFor() throws {
    let (names, _) = try OpcodeImporter(packetSet: "demo").run(header: header, path: "vid.h")
    let (spec, diagnostics) = try check(names)
    XCTAssertFalse(diagnostics.hasErrors, "\(diagnostics.sorted)")
    XCTAssertEqual(spec.opcodeNames.first?.opcodes.map(\.name), names.opcodes.map(\.name))
    XCTAssertEqual(spec.opcodeNames.first?.opcodes.map(\.value), names.opcodes.map(\.value))

    let disassembler = PacketDisassembler(set: try XCTUnwrap(spec.packetSets.first), in: spec)
    XCTAssertEqual(disassembler.name(of: 0x2D), "DRAW_INDEX_AUTO")
    XCTAssertEqual(disassembler.name(of: 0x37), "WRITE_DATA")
    XCTAssertNil(disassembler.name(of: 0x01))
    XCTAssertEqual(
      disassembler.decode([0xC001_2D00, 3, 2]).error?.description,
      "dword 0: DRAW_INDEX_AUTO: no layout for opcode 0x2D in demo")
    let unnamed = PacketDisassembler(set: try XCTUnwrap(spec.packetSets.first))
    XCTAssertEqual(unnamed.decode([0xC001_2D00, 3, 2]).error?.description, "dword 0: unknown opcode 0x2D")
  }

  func testAPacketUnderAnotherNameThanItsOpcodesAndNamesForNoSetAreErrors() throws {
    let (names, _) = try OpcodeImporter(packetSet: "demo").run(header: header, path: "vid.h")
    let misnamed = packets.replacingOccurrences(of: "WRITE_DATA", with: "COPY_DATA")
    let (_, diagnostics) = try check(names, packets: misnamed)
    XCTAssertEqual(diagnostics.errors.count, 1, "\(diagnostics.sorted)")
    let error = try XCTUnwrap(diagnostics.errors.first)
    XCTAssertTrue(
      error.message.hasPrefix("packet 'COPY_DATA' has opcode 0x37, which the opcode names of 'demo' call 'WRITE_DATA'"),
      error.message)
    XCTAssertTrue(error.location?.file.hasSuffix("/packets.xml") == true, "at the packet: \(error)")

    var elsewhere = names
    elsewhere.packetSet = "other"
    let (_, noSet) = try check(elsewhere)
    XCTAssertEqual(noSet.errors.map(\.message), ["opcode names for packet set 'other', which the specs do not have"])
  }

  /// vid.h's 70 opcodes name every packet pm4_vi lays out that vid.h has, under the same name.
  func testTheCommittedNamesCoverThePacketSet() throws {
    let (spec, diagnostics) = Fixtures.packageSpec
    XCTAssertFalse(diagnostics.hasErrors)
    let names = try XCTUnwrap(spec.opcodeNames.first { $0.packetSet == "pm4_vi" })
    XCTAssertEqual(names.opcodes.count, 70)
    let set = try XCTUnwrap(spec.packetSets.first { $0.name == "pm4_vi" })
    let disassembler = PacketDisassembler(set: set, in: spec)
    for packet in set.packets { XCTAssertEqual(packet.opcode.flatMap(disassembler.name(of:)), packet.name) }
    for opcode in names.opcodes { XCTAssertEqual(disassembler.name(of: opcode.value), opcode.name) }
    // Two of the set's packets are the KFD's, which vid.h does not define, and one libdrm's.
    XCTAssertEqual(
      Set(set.packets.map(\.name)).subtracting(names.opcodes.map(\.name)),
      ["MAP_PROCESS", "RUN_LIST", "SET_CE_DE_COUNTERS"])

    // `gen export --json` carries them with the set, by value.
    let json = try XCTUnwrap(JSONSerialization.jsonObject(with: try SpecExport.json(spec)) as? [String: Any])
    let exported = try XCTUnwrap((json["packetSets"] as? [[String: Any]])?.first { $0["name"] as? String == "pm4_vi" })
    let opcodeNames = try XCTUnwrap(exported["opcodeNames"] as? [[String: Any]])
    XCTAssertEqual(opcodeNames.count, 70)
    XCTAssertEqual(
      opcodeNames.map { $0["value"] as? Int }, opcodeNames.map { $0["value"] as? Int }.sorted { $0! < $1! })
    XCTAssertTrue(opcodeNames.contains { $0["name"] as? String == "DRAW_INDEX_AUTO" && $0["value"] as? Int == 0x2D })
  }
}
