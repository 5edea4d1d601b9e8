import MxHeaderImport
import MxSpecModel
import XCTest

/// The import rules on small headers written for the purpose.
final class ImporterTests: XCTestCase {
  let headers = HeaderSet(block: "demo", version: "1.0", folder: "demo", prefix: "demo_1_0")

  let offsets = """
    #ifndef DEMO_1_0_D_H
    #define DEMO_1_0_D_H
    #define mmCP_RB0_BASE 0x3040
    #define mmCP_RB_BASE 0x3040
    #define mmSWRST 0x10
    #define mmDIDT_IND_INDEX 0x3280
    #define mmDIDT_IND_DATA 0x3281
    #define ixDIDT_SQ_CTRL0 0x0
    #define ixSWRST 0x4
    #define ixCLIPPER_DEBUG_REG00 0x0
    #define ixPA_SC_DEBUG_REG0 0x0
    #endif
    """

  let masks = """
    #define CP_RB0_BASE__RB_BASE_MASK 0xffffffff
    #define CP_RB0_BASE__RB_BASE__SHIFT 0x0
    #define DIDT_SQ_CTRL0__DIDT_CTRL_EN_MASK 0x1
    #define DIDT_SQ_CTRL0__DIDT_CTRL_EN__SHIFT 0x0
    #define DIDT_SQ_CTRL0__PHASE_MASK 0x30
    #define DIDT_SQ_CTRL0__PHASE__SHIFT 0x4
    #define SWRST__GAPPY_MASK 0x5
    #define SWRST__GAPPY__SHIFT 0x0
    #define SWRST__SHIFTED_MASK 0x10
    #define SWRST__SHIFTED__SHIFT 0x3
    #define GONE__FIELD_MASK 0x1
    #define GONE__FIELD__SHIFT 0x0
    """

  let enums = """
    typedef enum PHASE {
    \tPHASE_0 = 0x0,
    \tPHASE_3 = 0x3,
    } PHASE;
    typedef enum COUNTED {
    \tFIRST,
    \tSECOND = 0x5,
    \tTHIRD,
    } COUNTED;
    #define SOME_CONSTANT 0x10
    """

  func run() -> (Block, ImportReport) {
    BlockImporter(headers: headers).run(offsets: offsets, masks: masks, enums: enums)
  }

  func testRegistersSpacesAndAliases() throws {
    let (block, _) = run()
    let byName = Dictionary(block.registers.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    XCTAssertEqual(byName["CP_RB0_BASE"]?.aliasOf, nil)
    XCTAssertEqual(byName["CP_RB_BASE"]?.aliasOf, "CP_RB0_BASE", "second name on one offset is an alias")
    XCTAssertEqual(byName["DIDT_SQ_CTRL0"]?.space, "didt")
    XCTAssertEqual(byName["ixSWRST"]?.space, "ix_swrst", "ix name equal to an mm name keeps its prefix")
    XCTAssertEqual(byName["CLIPPER_DEBUG_REG00"]?.space, "ix_clipper")
    XCTAssertEqual(byName["PA_SC_DEBUG_REG0"]?.space, "ix_pa", "families with overlapping offsets stay apart")
    let didt = try XCTUnwrap(block.spaces.first { $0.name == "didt" })
    XCTAssertEqual(didt.indexRegister, "DIDT_IND_INDEX")
    XCTAssertEqual(didt.dataRegister, "DIDT_IND_DATA")
    XCTAssertNil(block.spaces.first { $0.name == "ix_clipper" }?.indexRegister)
  }

  func testFieldsAndTheirAnomalies() throws {
    let (block, report) = run()
    let didt = try XCTUnwrap(block.registers.first { $0.name == "DIDT_SQ_CTRL0" })
    XCTAssertEqual(didt.fields.map(\.name), ["DIDT_CTRL_EN", "PHASE"])
    XCTAssertEqual(didt.fields[1].bits, BitRange(lsb: 4, msb: 5))
    XCTAssertEqual(didt.fields[1].enumName, "PHASE", "enum with the field's name whose values fit")
    let swrst = try XCTUnwrap(block.registers.first { $0.name == "SWRST" })
    XCTAssertEqual(swrst.fields, [], "gappy and misplaced masks are not imported")
    XCTAssertEqual(block.registers.first { $0.name == "ixSWRST" }?.fields, [])
    XCTAssertTrue(report.anomalies.contains { $0.contains("'SWRST__GAPPY_MASK' is not contiguous") })
    XCTAssertTrue(
      report.anomalies.contains { $0.contains("'SWRST__SHIFTED_MASK' starts at bit 4 but its shift says 3") })
    XCTAssertTrue(report.anomalies.contains { $0.contains("mask 'GONE__FIELD_MASK' names no register") })
    XCTAssertTrue(report.anomalies.contains { $0.contains("'ixSWRST' has the name of a direct register") })
    XCTAssertTrue(report.anomalies.contains { $0.contains("1 plain #define constants") })
  }

  func testEnumsFollowCImplicitValues() throws {
    let (block, _) = run()
    let counted = try XCTUnwrap(block.enums.first { $0.name == "COUNTED" })
    XCTAssertEqual(counted.values.map(\.value), [0, 5, 6])
  }

  func testOnlyImportsTheListedRegistersAndTheirEnums() {
    let (block, _) = BlockImporter(headers: headers, only: ["DIDT_SQ_CTRL0", "DIDT_IND_INDEX", "DIDT_IND_DATA"])
      .run(offsets: offsets, masks: masks, enums: enums)
    XCTAssertEqual(block.registers.map(\.name), ["DIDT_IND_INDEX", "DIDT_IND_DATA", "DIDT_SQ_CTRL0"])
    XCTAssertEqual(block.enums.map(\.name), ["PHASE"])
  }

  func testImportedDocumentIsStableAndLoadsBack() {
    let (block, _) = run()
    let first = SpecXMLWriter.document(for: block, source: "test")
    XCTAssertEqual(first, SpecXMLWriter.document(for: run().0, source: "test"))
    XCTAssertTrue(first.contains(#"<register name="CP_RB_BASE" offset="0x3040" alias-of="CP_RB0_BASE"/>"#))
  }
}
