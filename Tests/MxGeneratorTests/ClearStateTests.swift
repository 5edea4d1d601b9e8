import Foundation
import MxGenerator
import MxHeaderImport
import MxSpecModel
import MxSwiftEmitter
import XCTest

/// The clear state from a clear-state header to generated Swift: the importer's rules on a small
/// header written for the purpose, the spec it writes loaded back against a register block, the
/// emitted extents and `gen export`'s view of the committed specs.
final class ClearStateTests: XCTestCase {
  let header = """
    static const unsigned int demo_SECT_CONTEXT_def_1[] =
    {
        0x00000000, // DB_RENDER_CONTROL
        0, // HOLE
        0x40004000, // PA_SC_SCREEN_SCISSOR_BR
    };
    static const unsigned int demo_SECT_CONTEXT_def_2[] =
    {
        0x00000002, // VGT_PRIMITIVEID_RESET
    };
    static const unsigned int demo_unused[] =
    {
        0x00000001, // NOTHING
    };
    static const struct cs_extent_def demo_SECT_CONTEXT_defs[] =
    {
        {demo_SECT_CONTEXT_def_1, 0x0000a000, 3 },
        {demo_SECT_CONTEXT_def_2, 0x0000a2a3, 1 },
        { 0, 0, 0 }
    };
    static const struct cs_section_def demo_cs_data[] = {
        { demo_SECT_CONTEXT_defs, SECT_CONTEXT },
        { 0, SECT_NONE }
    };
    """

  let block = """
    <block name="gfx" version="8.0">
      <register name="DB_RENDER_CONTROL" offset="0xA000"><field name="DEPTH_CLEAR_ENABLE" bits="0"/></register>
      <register name="PA_SC_SCREEN_SCISSOR_BR" offset="0xA002"><field name="BR_X" bits="15:0"/></register>
      <register name="VGT_PRIMITIVEID_RESET" offset="0xA2A3"><field name="VALUE" bits="31:0"/></register>
    </block>
    """

  func testTheImportRules() throws {
    let (clearState, report) = try ClearStateImporter(name: "demo", registerBlock: "gfx_8_0")
      .run(header: header, path: "demo.h")
    XCTAssertEqual(clearState.extents.map(\.header), ["demo_SECT_CONTEXT_def_1", "demo_SECT_CONTEXT_def_2"])
    XCTAssertEqual(clearState.extents.map(\.start), [0xA000, 0xA2A3])
    XCTAssertEqual(clearState.extents[0].values.map(\.register), ["DB_RENDER_CONTROL", nil, "PA_SC_SCREEN_SCISSOR_BR"])
    XCTAssertEqual(clearState.extents[0].values.map(\.value), [0, 0, 0x4000_4000])
    XCTAssertEqual(clearState.extents[1].values.map(\.location.line), [9])
    XCTAssertEqual(
      report, ["demo: 2 context extents, 4 dwords (1 holes)", "demo_unused: left out, no extent names it"])
  }

  func testWhatTheImportCannotTakeStopsItAtItsLine() {
    let cases = [
      (
        header.replacingOccurrences(of: "0x0000a000, 3 }", with: "0x0000a000, 4 }"),
        "demo.h:17: demo_SECT_CONTEXT_def_1 has 3 values, its extent says 4"
      ),
      (header.replacingOccurrences(of: "0, // HOLE", with: "7, // HOLE"), "demo.h:4: a hole with the value 0x7"),
      (
        header.replacingOccurrences(of: "SECT_CONTEXT }", with: "SECT_CLEAR }"),
        "demo.h:22: section SECT_CLEAR is not a context section"
      ),
      (
        header.replacingOccurrences(of: "{demo_SECT_CONTEXT_def_2,", with: "{demo_missing,"),
        "demo.h:18: no array 'demo_missing'"
      ),
      (
        header.replacingOccurrences(of: "0x00000002, // VGT_PRIMITIVEID_RESET", with: "0x00000002"),
        "demo.h:9: expected 'value, // REGISTER' in demo_SECT_CONTEXT_def_2"
      ),
    ]
    for (text, message) in cases {
      XCTAssertThrowsError(
        try ClearStateImporter(name: "demo", registerBlock: "gfx_8_0").run(header: text, path: "demo.h")
      ) {
        XCTAssertEqual("\($0)", message)
      }
    }
  }

  func testTheImportedDocumentLoadsBackAndEmitsTheExtents() throws {
    let (clearState, _) = try ClearStateImporter(name: "demo", registerBlock: "gfx_8_0")
      .run(header: header, path: "demo.h")
    let folder = try Fixtures.temporaryFolder()
    let xml = SpecXMLWriter.document(for: clearState, source: "demo.h", doc: "Demo clear state.")
    try Data(xml.utf8).write(to: URL(fileURLWithPath: folder + "/demo.xml"))
    try Data("<?xml version=\"1.0\"?>\n<spec format=\"1\">\n\(block)\n</spec>\n".utf8)
      .write(to: URL(fileURLWithPath: folder + "/gfx.xml"))
    let (spec, diagnostics) = Generator().check(specsAt: folder)
    XCTAssertFalse(diagnostics.hasErrors, "\(diagnostics.sorted)")
    let loaded = try XCTUnwrap(spec.clearStates.first)
    XCTAssertEqual(loaded.extents.map(\.start), clearState.extents.map(\.start))
    XCTAssertEqual(
      loaded.extents.map { $0.values.map(\.register) }, clearState.extents.map { $0.values.map(\.register) })
    XCTAssertEqual(loaded.extents.map { $0.values.map(\.value) }, clearState.extents.map { $0.values.map(\.value) })
    let files = ClearStateEmitter().emit(spec.clearStates)
    XCTAssertEqual(files.map(\.path), ["MxClearState/ClearStateExtent.swift", "MxClearState/DemoClearState.swift"])
    let emitted = files[1].contents
    for expected in [
      "public enum DemoClearState {", "  // demo_SECT_CONTEXT_def_1", "registerOffset: 0xA000,",
      "0x4000_4000,  // PA_SC_SCREEN_SCISSOR_BR", "0x0000_0000,  // hole",
      "0x0000_0002  // VGT_PRIMITIVEID_RESET",
    ] {
      XCTAssertTrue(emitted.contains(expected), "\(expected) not in\n\(emitted)")
    }
    XCTAssertEqual(ClearStateEmitter().emit([]), [], "no clear state, no module")
  }

  func testTheCommittedClearStateInTheExport() throws {
    let (spec, diagnostics) = Fixtures.packageSpec
    XCTAssertFalse(diagnostics.hasErrors)
    let json = try XCTUnwrap(JSONSerialization.jsonObject(with: try SpecExport.json(spec)) as? [String: Any])
    let clearStates = try XCTUnwrap(json["clearStates"] as? [[String: Any]])
    XCTAssertEqual(clearStates.map { $0["name"] as? String }, ["vi"])
    XCTAssertEqual(clearStates[0]["registers"] as? String, "gfx_8_0")
    let extents = try XCTUnwrap(clearStates[0]["extents"] as? [[String: Any]])
    XCTAssertEqual(extents.map { $0["start"] as? Int }, [0xA000, 0xA0D6, 0xA1F5, 0xA200, 0xA2A0, 0xA2A3, 0xA2A5])
    let first = try XCTUnwrap(extents[0]["values"] as? [[String: Any]])
    XCTAssertEqual(first[0]["register"] as? String, "DB_RENDER_CONTROL")
    XCTAssertEqual(first[13]["value"] as? Int, 0x4000_4000, "PA_SC_SCREEN_SCISSOR_BR")
    XCTAssertNil(first[6]["register"], "a hole")
  }
}
