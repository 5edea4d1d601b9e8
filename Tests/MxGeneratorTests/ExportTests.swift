import Foundation
import MxGenerator
import XCTest

final class ExportTests: XCTestCase {
  func testExportIsStableAndCarriesTheResolvedModel() throws {
    let (spec, diagnostics) = Generator().check(specsAt: Fixtures.golden + "/spec.xml")
    XCTAssertFalse(diagnostics.hasErrors)
    let data = try SpecExport.json(spec)
    XCTAssertEqual(data, try SpecExport.json(spec))
    let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    XCTAssertEqual(json["format"] as? Int, 1)
    let block = try XCTUnwrap((json["blocks"] as? [[String: Any]])?.first)
    XCTAssertEqual(block["id"] as? String, "demo_1_2")
    let registers = try XCTUnwrap(block["registers"] as? [[String: Any]])
    XCTAssertEqual(
      registers.map { $0["name"] as? String },
      [
        "CLOCK", "INT_STATUS", "SMC_IND_DATA", "SMC_IND_INDEX", "STATUS", "STATUS_ALIAS", "TIMER0_CNTL",
        "TIMER1_CNTL", "TIMER2_CNTL", "TRACE",
      ])
    let clock = registers[0]
    XCTAssertEqual(clock["symbol"] as? String, "ixCLOCK")
    XCTAssertEqual(clock["space"] as? String, "smc")
    XCTAssertEqual(clock["offset"] as? Int, 0x10)
    XCTAssertEqual(clock["reset"] as? Int, 0x100)
    let status = try XCTUnwrap(registers.first { $0["name"] as? String == "INT_STATUS" })
    let fields = try XCTUnwrap(status["fields"] as? [[String: Any]])
    XCTAssertEqual(fields.map { $0["name"] as? String }, ["DONE", "ERROR", "ENABLE", "default", "SWAP", "WIDE"])
    XCTAssertEqual(fields[0]["access"] as? String, "w1c")
    XCTAssertEqual(fields[4]["mask"] as? Int, 0x30)
    XCTAssertEqual(fields[4]["enum"] as? String, "ENDIAN")
    XCTAssertEqual(registers.first { $0["name"] as? String == "STATUS_ALIAS" }?["aliasOf"] as? String, "STATUS")
  }
}
