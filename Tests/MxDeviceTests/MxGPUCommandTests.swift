import Foundation
import TestSupport
import XCTest

/// `mxgpu` as a user runs it, against a regular file standing in for BAR 5 and the simulator.
final class MxGPUCommandTests: XCTestCase {
  private static let specs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Specs").path

  private func mxgpu(_ arguments: [String]) throws -> ExecutableRun {
    try ExecutableRun("mxgpu", arguments + ["--specs", Self.specs])
  }

  private func temporaryBAR(bytes: Int = 256 << 10) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bar5-\(UUID().uuidString)").path
    try Data(count: bytes).write(to: URL(fileURLWithPath: path))
    addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
  }

  func testWriteModifyReadOnAFileBackedBAR() throws {
    let bar = try temporaryBAR()
    let written = try mxgpu(["write", "MAILBOX_CONTROL", "0x101", "--resource", bar])
    XCTAssertEqual(written.status, 0, written.stderr)
    XCTAssertTrue(written.stdout.contains("= 0x0000_0101"), written.stdout)
    let modified = try mxgpu([
      "modify", "mailbox_control", "rcv_msg_ack=1", "TRN_MSG_VALID=0", "--resource", bar, "--json",
    ])
    XCTAssertEqual(modified.status, 0, modified.stderr)
    let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(modified.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(json["value"] as? Int, 0x300)
    let byAddress = try mxgpu(["read", "0x5340", "--byte-address", "--resource", bar])
    XCTAssertTrue(byAddress.stdout.hasPrefix("MAILBOX_CONTROL - bif_5_0"), byAddress.stdout)
    XCTAssertTrue(byAddress.stdout.contains("RCV_MSG_ACK    rw       1"), byAddress.stdout)
    let readOnly = try mxgpu(["modify", "MAILBOX_CONTROL", "TRN_MSG_ACK=1", "--resource", bar])
    XCTAssertEqual(readOnly.status, 1)
    XCTAssertTrue(
      readOnly.stderr.contains("error: MAILBOX_CONTROL.TRN_MSG_ACK is read-only (the host acks"), readOnly.stderr)
    let raw = try mxgpu(["read", "0x10", "--resource", bar])
    XCTAssertEqual(raw.status, 0, raw.stderr)
  }

  /// `modify` as the typed API does it: pending write-1-to-clear bits are written back as 0
  /// (here the golden spec's INT_STATUS, whose DONE and ERROR are w1c).
  func testModifyLeavesPendingWriteOneToClearBitsAlone() throws {
    let bar = try temporaryBAR(bytes: 0x1000)
    let golden = URL(fileURLWithPath: Self.specs).deletingLastPathComponent().appendingPathComponent(
      "Tests/Fixtures/Golden/spec.xml"
    ).path
    let run = { (arguments: [String]) in try ExecutableRun("mxgpu", arguments + ["--resource", bar, "--specs", golden])
    }
    XCTAssertEqual(try run(["write", "INT_STATUS", "0x3"]).status, 0)
    let modified = try run(["modify", "INT_STATUS", "ENABLE=1", "--json"])
    XCTAssertEqual(modified.status, 0, modified.stderr)
    let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(modified.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(json["value"] as? Int, 0x4, "DONE and ERROR were pending: written back as 0")
  }

  func testTheSimulatorIsAVF() throws {
    let run = try mxgpu(["read", "BIF_IOV_FUNC_IDENTIFIER", "--sim", "--json"])
    XCTAssertEqual(run.status, 0, run.stderr)
    let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(json["value"] as? Int, 0x8000_0001)
  }

  func testErrorsAreMessagesNotCrashes() throws {
    let missing = try mxgpu(["read", "MAILBOX_CONTROL", "--resource", "/no/such/resource5"])
    XCTAssertEqual(missing.status, 1)
    XCTAssertEqual(missing.stderr, "error: cannot open /no/such/resource5: No such file or directory\n")
    let small = try mxgpu(["read", "BIF_IOV_FUNC_IDENTIFIER", "--resource", try temporaryBAR(bytes: 4096)])
    XCTAssertEqual(small.status, 1)
    XCTAssertTrue(small.stderr.contains("byte address 0x540C is beyond"), small.stderr)
    let odd = try mxgpu(["read", "MAILBOX_CONTROL", "--resource", try temporaryBAR(bytes: 6)])
    XCTAssertTrue(odd.stderr.contains("which is not a register BAR"), odd.stderr)
    let field = try mxgpu(["modify", "MAILBOX_CONTROL", "NOPE=1", "--sim"])
    XCTAssertEqual(field.status, 1)
    XCTAssertTrue(field.stderr.contains("MAILBOX_CONTROL has no field 'NOPE'"), field.stderr)
    let wide = try mxgpu(["modify", "MAILBOX_CONTROL", "TRN_MSG_VALID=2", "--sim"])
    XCTAssertTrue(wide.stderr.contains("does not fit MAILBOX_CONTROL.TRN_MSG_VALID (1 bits)"), wide.stderr)
    let many = try mxgpu(["read", "CP_HQD_*", "--sim"])
    XCTAssertTrue(many.stderr.contains("matches"), many.stderr)
    // Every error in what was asked for is one line and exit status 1, never the usage.
    let cases: [([String], String)] = [
      (["read", "MAILBOX_CONTROL"], "error: choose one device: --resource PATH, --debugfs PATH or --sim\n"),
      (["write", "MAILBOX_CONTROL", "0x100000000", "--sim"], "error: '0x100000000' is not a 32-bit value\n"),
      (["write", "MAILBOX_CONTROL", "seven", "--sim"], "error: 'seven' is not a 32-bit value\n"),
      (["modify", "MAILBOX_CONTROL", "TRN_MSG_VALID", "--sim"], "error: 'TRN_MSG_VALID' is not FIELD=VALUE\n"),
    ]
    for (arguments, message) in cases {
      let run = try mxgpu(arguments)
      XCTAssertEqual(run.status, 1, "\(arguments)")
      XCTAssertEqual(run.stderr, message, "\(arguments)")
    }
    let unaligned = try mxgpu(["read", "0x5411", "--byte-address", "--sim"])
    XCTAssertEqual(unaligned.status, 1)
    XCTAssertTrue(unaligned.stderr.hasPrefix("error: "), unaligned.stderr)
    XCTAssertFalse(unaligned.stderr.contains("Usage"), unaligned.stderr)
  }
}
