import Foundation
import MxGenerator
import MxHeaderImport
import MxSpecModel
import MxSwiftEmitter
import XCTest

/// Interrupt sources from an IV source header to generated Swift: the importer's pairing rules on
/// a small header written for the purpose, the emitted constants and `gen export`'s view of the
/// committed specs.
final class InterruptSourceTests: XCTestCase {
  let header = """
    #ifndef _IVSRCID_DEMO_H_
    #define _IVSRCID_DEMO_H_
    #define DEMO_IV_SRCID_D1_VERTICAL_INTERRUPT0      19
    #define DEMO_IV_EXTID_D1_VERTICAL_INTERRUPT0      7
    #define DEMO_IV_SRCID_D1_VERTICAL_INTERRUPT1      19
    #define DEMO_IV_EXTID_D1_VERTICAL_INTERRUPT1      8
    #define DEMO_IV_SRCID_VCE_TRAP                    0x000000a7  /* 167 */
    #define DEMO_IV_EXTID_VCE_TRAP_GENERAL_PURPOSE    0
    #define DEMO_IV_EXTID_VCE_TRAP_LOW_LATENCY        1
    #define DEMO_IV_SRCID_CP_END_OF_PIPE              0x000000b5  /* 181 */
    #define DEMO_IV_SRCID_CP_ECC_ERROR                0x000000c5
    #define DEMO_IV_SRCID_CP_ECC_ERROR                0x000000c5
    #define DEMO_IV_SRBM_REG_ACCESS_ERROR             0x00000062
    #define OTHER_IV_SRCID_QUERY_STATUS               0x000000c7
    #define DEMO_IV_SRCID_VM_CONTEXT_ALL              0x00000100
    #define DEMO_IV_EXTID_VM_CONTEXT0_ALL             0
    #define DEMO_IV_EXTID_NONE                        0x00000000
    #endif
    """

  func testTheImportRules() throws {
    let (set, report) = try InterruptSourceImporter(setName: "demo").run(header: header, path: "demo.h")
    let sources = set.sources.map { ($0.name, $0.header, $0.id, $0.extendedID) }
    XCTAssertEqual(
      sources.map(\.0),
      [
        "D1_VERTICAL_INTERRUPT0", "D1_VERTICAL_INTERRUPT1", "VCE_TRAP", "VCE_TRAP_GENERAL_PURPOSE",
        "VCE_TRAP_LOW_LATENCY", "CP_END_OF_PIPE", "CP_ECC_ERROR", "SRBM_REG_ACCESS_ERROR",
        "OTHER_IV_SRCID_QUERY_STATUS",
      ])
    // An extended ID joins its source ID; one without a source ID of its own name takes the
    // longest source name it extends.
    XCTAssertEqual(set.sources[0].extendedID, 7)
    XCTAssertEqual(set.sources[0].id, 19)
    XCTAssertEqual(set.sources[3].id, 0xA7)
    XCTAssertEqual(set.sources[3].extendedID, 0)
    XCTAssertEqual(set.sources[3].header, "DEMO_IV_EXTID_VCE_TRAP_GENERAL_PURPOSE")
    XCTAssertNil(set.sources[2].extendedID)
    XCTAssertEqual(set.sources[5].id, 0xB5)
    // Every decision is in the report: the repeated macro, the extended IDs that stand alone,
    // the other spellings, and what was left out (values, not sources; wider than 8 bits).
    XCTAssertEqual(report.first, "demo: 9 interrupt sources")
    for expected in [
      "DEMO_IV_SRCID_CP_ECC_ERROR: defined again", "DEMO_IV_EXTID_VCE_TRAP_LOW_LATENCY: a source of its own",
      "DEMO_IV_SRBM_REG_ACCESS_ERROR: a source ID under another name", "DEMO_IV_EXTID_NONE: left out",
      "DEMO_IV_EXTID_VM_CONTEXT0_ALL: left out", "DEMO_IV_SRCID_VM_CONTEXT_ALL: left out, 0x100",
    ] {
      XCTAssertTrue(report.contains { $0.hasPrefix(expected) }, "\(expected) not in \(report)")
    }
  }

  func testAMacroDefinedTwiceWithAnotherValueStopsTheImport() {
    let conflicting = header + "\n#define DEMO_IV_SRCID_CP_END_OF_PIPE 0xb6\n"
    XCTAssertThrowsError(try InterruptSourceImporter(setName: "demo").run(header: conflicting, path: "demo.h")) {
      XCTAssertEqual("\($0)", "demo.h:19: DEMO_IV_SRCID_CP_END_OF_PIPE is 182, but 181 at line 10")
    }
  }

  func testTheImportedDocumentLoadsBackAndEmitsConstants() throws {
    let (set, _) = try InterruptSourceImporter(setName: "demo").run(header: header, path: "demo.h")
    let folder = try Fixtures.temporaryFolder()
    let xml = SpecXMLWriter.document(for: set, source: "demo.h", doc: "Demo sources.")
    try Data(xml.utf8).write(to: URL(fileURLWithPath: folder + "/demo.xml"))
    let (spec, diagnostics) = Generator().check(specsAt: folder)
    XCTAssertFalse(diagnostics.hasErrors, "\(diagnostics.sorted)")
    XCTAssertEqual(
      spec.interruptSources.first?.sources,
      set.sources.map { source in
        var loaded = source
        loaded.location = spec.interruptSources[0].sources.first { $0.name == source.name }!.location
        return loaded
      })
    let file = try XCTUnwrap(InterruptSourceEmitter().emit(spec.interruptSources).first)
    XCTAssertEqual(file.path, "MxInterruptSources/DemoInterruptSource.swift")
    XCTAssertTrue(file.contents.contains("public static let CP_END_OF_PIPE = Self(sourceID: 0xB5)"))
    XCTAssertTrue(
      file.contents.contains("public static let D1_VERTICAL_INTERRUPT1 = Self(sourceID: 0x13, extendedID: 8)"))
    XCTAssertTrue(file.contents.contains("/// `DEMO_IV_SRCID_CP_END_OF_PIPE`: source ID 181 (0xB5)."))
  }

  func testTheCommittedSourcesInTheExport() throws {
    let (spec, diagnostics) = Fixtures.packageSpec
    XCTAssertFalse(diagnostics.hasErrors)
    let json = try XCTUnwrap(JSONSerialization.jsonObject(with: try SpecExport.json(spec)) as? [String: Any])
    let sets = try XCTUnwrap(json["interruptSources"] as? [[String: Any]])
    XCTAssertEqual(sets.map { $0["name"] as? String }, ["vislands30"])
    let sources = try XCTUnwrap(sets[0]["sources"] as? [[String: Any]])
    let endOfPipe = try XCTUnwrap(sources.first { $0["name"] as? String == "CP_END_OF_PIPE" })
    XCTAssertEqual(endOfPipe["id"] as? Int, 181)
    XCTAssertEqual(endOfPipe["header"] as? String, "VISLANDS30_IV_SRCID_CP_END_OF_PIPE")
    XCTAssertNil(endOfPipe["extendedID"])
  }
}
