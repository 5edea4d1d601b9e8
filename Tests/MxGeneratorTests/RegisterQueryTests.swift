import Foundation
import MxGenerator
import MxSpecModel
import TestSupport
import XCTest

/// `gen describe`'s lookup over the real specs: by dword offset and byte address, by name in any
/// case, by glob, by part of a name; and the command's JSON and lists (on its built-in specs, as a
/// user runs it) and `gen`'s success notes.
final class RegisterQueryTests: XCTestCase {
  private static let spec = Fixtures.packageSpec.spec

  private func names(_ text: String, byteAddress: Bool = false, block: String? = nil) throws -> [String] {
    try RegisterQuery(text, byteAddress: byteAddress).matches(in: Self.spec, block: block).map(\.register.name)
  }

  func testByAddress() throws {
    XCTAssertEqual(try names("0x14D0"), ["MAILBOX_CONTROL"])
    XCTAssertEqual(try names("5328"), ["MAILBOX_CONTROL"], "decimal")
    XCTAssertEqual(try names("0x5340", byteAddress: true), ["MAILBOX_CONTROL"])
    XCTAssertEqual(try names("0x1503"), ["BIF_IOV_FUNC_IDENTIFIER"])
    XCTAssertEqual(try names("0xFFFF_FFF0"), [], "nothing there")
    XCTAssertThrowsError(try RegisterQuery("0x5341", byteAddress: true)) {
      XCTAssertEqual($0 as? RegisterQuery.QueryError, .misalignedByteAddress("0x5341"))
    }
    XCTAssertThrowsError(try RegisterQuery("0x1_0000_0000")) {
      XCTAssertEqual($0 as? RegisterQuery.QueryError, .notAnAddress("0x1_0000_0000"))
    }
  }

  func testByNameGlobAndPart() throws {
    XCTAssertEqual(try names("mailbox_control"), ["MAILBOX_CONTROL"], "any case, exact wins over part")
    let hqd = try names("CP_HQD_PQ_*")
    XCTAssertTrue(hqd.contains("CP_HQD_PQ_CONTROL") && hqd.contains("CP_HQD_PQ_BASE_HI"))
    XCTAssertTrue(hqd.allSatisfy { $0.hasPrefix("CP_HQD_PQ_") })
    XCTAssertEqual(try names("mailbox_msgbuf_?cv_dw0"), ["MAILBOX_MSGBUF_RCV_DW0"])
    let part = try names("msgbuf_trn")
    XCTAssertEqual(
      part, ["MAILBOX_MSGBUF_TRN_DW0", "MAILBOX_MSGBUF_TRN_DW1", "MAILBOX_MSGBUF_TRN_DW2", "MAILBOX_MSGBUF_TRN_DW3"])
    XCTAssertEqual(try names("SRBM_GFX_CNTL", block: "bif_5_0"), [], "another block")
  }

  // MARK: The command

  private func gen(_ arguments: [String]) throws -> ExecutableRun { try ExecutableRun("gen", arguments) }

  func testDescribeByAddressJSONAndLists() throws {
    let byByte = try gen(["describe", "0x5340", "0x101", "--byte-address", "--json"])
    XCTAssertEqual(byByte.status, 0, byByte.stderr)
    let register = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(byByte.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(register["name"] as? String, "MAILBOX_CONTROL")
    XCTAssertEqual(register["byteAddress"] as? Int, 0x5340)
    let fields = try XCTUnwrap(register["fields"] as? [[String: Any]])
    XCTAssertEqual(
      fields.map { $0["name"] as? String }, ["TRN_MSG_VALID", "TRN_MSG_ACK", "RCV_MSG_VALID", "RCV_MSG_ACK"])
    XCTAssertEqual(fields.map { $0["value"] as? Int }, [1, 0, 1, 0])

    let list = try gen(["describe", "cp_hqd_eop_*"])
    XCTAssertEqual(list.status, 0)
    XCTAssertTrue(list.stdout.contains("CP_HQD_EOP_BASE_ADDR  gfx_8_0  mmio dword 0x326A (byte 0xC9A8)"), list.stdout)
    let listJSON = try gen(["describe", "cp_hqd_eop_*", "--json"])
    let matches = try XCTUnwrap(
      (JSONSerialization.jsonObject(with: Data(listJSON.stdout.utf8)) as? [String: Any])?["matches"] as? [[String: Any]]
    )
    XCTAssertEqual(matches.count, list.stdout.split(separator: "\n").count)

    let ambiguous = try gen(["describe", "cp_hqd_eop_*", "0x1"])
    XCTAssertNotEqual(ambiguous.status, 0)
    XCTAssertTrue(ambiguous.stderr.contains("matches \(matches.count) registers"), ambiguous.stderr)
    let none = try gen(["describe", "NO_SUCH_THING"])
    XCTAssertNotEqual(none.status, 0)
    XCTAssertTrue(none.stderr.contains("no register matches 'NO_SUCH_THING'"), none.stderr)
  }

  func testGenSaysWhatItDidUnlessQuiet() throws {
    let output = try Fixtures.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: output) }
    let arguments = ["--specs", Fixtures.golden + "/spec.xml", "--output", output]
    let wrote = try gen(arguments)
    XCTAssertEqual(wrote.status, 0)
    XCTAssertTrue(wrote.stderr.hasPrefix("note: wrote '\(output)': "), wrote.stderr)
    let again = try gen(arguments)
    XCTAssertTrue(again.stderr.hasPrefix("note: '\(output)' unchanged: "), again.stderr)
    let checked = try gen(arguments + ["--check"])
    XCTAssertTrue(checked.stderr.hasPrefix("note: '\(output)' is up to date: "), checked.stderr)
    let quiet = try gen(arguments + ["--quiet"])
    XCTAssertEqual(quiet.status, 0)
    XCTAssertEqual(quiet.stderr, "")
  }
}
