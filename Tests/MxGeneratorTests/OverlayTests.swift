import Foundation
import MxGenerator
import MxSpecModel
import XCTest

/// Truthful data: what the headers do not say is unknown, and overlays (kept apart from the
/// imported specs, each change citing its source) say what public sources do.
final class OverlayTests: XCTestCase {
  /// The golden spec with an overlay beside it, loaded as one specs folder.
  private func goldenWithOverlay(_ overlay: String) throws -> String {
    let folder = try Fixtures.temporaryFolder()
    try FileManager.default.copyItem(atPath: Fixtures.golden + "/spec.xml", toPath: folder + "/spec.xml")
    try Data(
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <spec format="1">
      \(overlay)
      </spec>
      """.utf8
    ).write(to: URL(fileURLWithPath: folder + "/overlay.xml"))
    return folder
  }

  func testOverlaySetsResetAccessAndWriteOneToClearAndTheGeneratedCodeCitesIt() throws {
    let folder = try goldenWithOverlay(
      """
      <overlay block="demo_1_2">
        <register name="INT_STATUS" reset="0x4" source="Demo datasheet, table 3">
          <field name="ENABLE" access="ro" source="Demo datasheet, 3.2"/>
          <field name="WIDE" access="w1c"/>
        </register>
        <register name="SMC_IND_INDEX" access="rw" source="Demo datasheet, 2.1"/>
      </overlay>
      """)
    let output = Generator().generate(specsAt: folder)
    XCTAssertFalse(output.diagnostics.hasErrors, "\(output.diagnostics.sorted)")
    let register = try XCTUnwrap(output.spec.block(id: "demo_1_2")?.registers.first { $0.name == "INT_STATUS" })
    XCTAssertEqual(register.resetValue, 4)
    XCTAssertEqual(register.resetSource, "Demo datasheet, table 3")
    XCTAssertEqual(register.access, .unknown, "the overlay does not say, so it stays unknown")

    let swift = try XCTUnwrap(output.files).map(\.contents).joined()
    for expected in [
      "`INT_STATUS`: demo_1_2 register, MMIO dword 0x101 (byte 0x404), access unknown, reset 0x0000_0004 (Demo datasheet, table 3).",
      "offset: 0x101, resetValue: 0x0000_0004,",
      // Field changes cite their own source, or the register change's.
      "`INT_STATUS.ENABLE`: bit 2, ro (Demo datasheet, 3.2).",
      "public static var ENABLE: ReadOnlyField<Self, Bool>",
      "`INT_STATUS.WIDE`: bits 27:8, w1c (Demo datasheet, table 3).",
      // DONE and ERROR were w1c in the spec already; WIDE joins them.
      "writeOneToClearMask: 0x0FFF_FF03,",
      "`SMC_IND_INDEX`: demo_1_2 register, MMIO dword 0x80 (byte 0x200), rw (Demo datasheet, 2.1), reset unknown (`write` starts from 0).",
      "`SMC_IND_INDEX.SMC_IND_ADDR`: bits 31:0, rw (Demo datasheet, 2.1).",
    ] {
      XCTAssertTrue(swift.contains(expected), "missing: \(expected)")
    }
  }

  func testWithoutOverlayTheGoldenSpecSaysWhatItDoesNotKnow() throws {
    let output = Generator().generate(specsAt: Fixtures.golden + "/spec.xml")
    let swift = try XCTUnwrap(output.files).map(\.contents).joined()
    XCTAssertTrue(
      swift.contains(
        "`INT_STATUS`: demo_1_2 register, MMIO dword 0x101 (byte 0x404), access unknown, reset unknown (`write` starts from 0)."
      ))
    XCTAssertTrue(swift.contains("`INT_STATUS.ENABLE`: bit 2, access unknown."))
    XCTAssertTrue(swift.contains("`STATUS`: demo_1_2 register, MMIO dword 0x100 (byte 0x400), ro, reset 0x8000_0001."))
    XCTAssertTrue(swift.contains("      offset: 0x101,\n      writeOneToClearMask:"), "an unknown reset is left out")
  }

  /// The built-in data: every reset unknown (no public source gives one), and the registers the
  /// runtime touches as the overlays in Specs/overlays/ say.
  func testBuiltInSpecsKnowNoResetAndTheMailboxOwnership() throws {
    let (spec, diagnostics) = Fixtures.packageSpec
    XCTAssertFalse(diagnostics.hasErrors)
    XCTAssertEqual(spec.blocks.flatMap(\.registers).filter { $0.resetValue != nil }.map(\.name), [])

    let bif = try XCTUnwrap(spec.block(id: "bif_5_0"))
    let control = try XCTUnwrap(bif.registers.first { $0.name == "MAILBOX_CONTROL" })
    let access = Dictionary(uniqueKeysWithValues: control.fields.map { ($0.name, control.access(of: $0)) })
    XCTAssertEqual(
      access,
      ["TRN_MSG_VALID": .readWrite, "TRN_MSG_ACK": .readOnly, "RCV_MSG_VALID": .readOnly, "RCV_MSG_ACK": .readWrite])
    XCTAssertTrue(control.fields.allSatisfy { $0.accessSource?.isEmpty == false }, "each change cites a source")
    XCTAssertEqual(bif.registers.first { $0.name == "MAILBOX_MSGBUF_RCV_DW0" }?.access, .readOnly)
    XCTAssertEqual(bif.registers.first { $0.name == "MAILBOX_MSGBUF_RCV_DW1" }?.access, .unknown)

    let gfx = try XCTUnwrap(spec.block(id: "gfx_8_0"))
    let active = try XCTUnwrap(gfx.registers.first { $0.name == "CP_HQD_ACTIVE" })
    XCTAssertEqual(active.access, .readWrite)
    XCTAssertTrue(active.accessSource?.contains("gfx_v8_0_mqd_commit") == true)
    XCTAssertEqual(gfx.registers.first { $0.name == "CP_HQD_PQ_WPTR" }?.access, .unknown, "only written: unknown")
    XCTAssertEqual(gfx.registers.first { $0.name == "SCRATCH_REG0" }?.access, .unknown)
  }
}
