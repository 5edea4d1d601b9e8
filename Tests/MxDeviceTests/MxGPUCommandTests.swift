import Foundation
import MxDevice
import MxGFX80
import MxMMIO
import MxStructures
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

  /// `mxgpu-sim --debugfs` writes a VF's rings as debugfs files and its memory as dumps;
  /// `mxgpu ring` lists them, decodes one around its pointers, and follows its buffers.
  func testRingsWrittenByTheSimulatorAreReadAsDebugfsFiles() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("debugfs-\(UUID().uuidString)").path
    addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
    let sim = try ExecutableRun("mxgpu-sim", ["--debugfs", folder, "--steps", "bring-up,work", "--specs", Self.specs])
    XCTAssertEqual(sim.status, 0, sim.stderr)
    let vf = folder + "/vf0"

    let all = try mxgpu(["ring", "--all", "--debugfs", vf])
    XCTAssertEqual(all.status, 0, all.stderr)
    let names = all.stdout.split(separator: "\n").map { $0.prefix { $0 != ":" } }
    XCTAssertEqual(names.first, "comp_1.0.0")
    XCTAssertTrue(names.contains("gfx") && names.contains("kiq_2.1.0"), all.stdout)
    XCTAssertTrue(all.stdout.contains("gfx: 2048 dwords; read pointer "), all.stdout)

    let gfx = try mxgpu(["ring", "gfx", "--debugfs", vf, "--history", "256"])
    XCTAssertEqual(gfx.status, 0, gfx.stderr)
    let lines = gfx.stdout.split(separator: "\n")
    XCTAssertEqual(lines.dropFirst().first, "history: the 256 dwords before the read pointer")
    XCTAssertTrue(lines.contains { $0.contains(": CONTEXT_CONTROL LOAD_GLOBAL_CONFIG=1") }, gfx.stdout)
    XCTAssertTrue(lines.contains { $0.contains("EVENT_WRITE_EOP") }, gfx.stdout)
    XCTAssertTrue(lines.last?.hasSuffix("= write pointer: nothing to run") == true, gfx.stdout)

    // The KIQ's MAP_QUEUES name the MQDs; the compute ring's IB lies in the GTT dump.
    let memory = try FileManager.default.contentsOfDirectory(atPath: vf).filter { $0.hasPrefix("memory-") }.sorted()
    XCTAssertEqual(memory, ["memory-0x0.bin", "memory-0x8000000000.bin"])
    let dumps = memory.flatMap { ["--memory", "\(vf)/\($0)@\($0.dropFirst(7).dropLast(4))"] }
    let kiq = try mxgpu(["ring", "kiq_2.1.0", "--debugfs", vf, "--history", "512", "--json"] + dumps)
    XCTAssertEqual(kiq.status, 0, kiq.stderr)
    let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(kiq.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(json["dwords"] as? Int, 262_144)
    let entries = try XCTUnwrap(json["entries"] as? [[String: Any]])
    XCTAssertTrue(entries.contains { ($0["text"] as? String)?.contains("MAP_QUEUES") == true }, kiq.stdout)

    let file = try mxgpu(["ring", vf + "/amdgpu_ring_comp_1.0.0"])
    XCTAssertEqual(file.status, 0, file.stderr)
    XCTAssertTrue(file.stdout.hasPrefix("comp_1.0.0: 2048 dwords"), file.stdout)

    let missing = try mxgpu(["ring", "sdma0", "--debugfs", vf])
    XCTAssertEqual(missing.status, 1)
    XCTAssertTrue(missing.stderr.hasPrefix("error: no ring 'sdma0' (there are: comp_1.0.0, "), missing.stderr)
    let notARing = try mxgpu(["ring", vf + "/memory-0x0.bin"])
    XCTAssertEqual(notARing.status, 1)
    XCTAssertTrue(notARing.stderr.contains("which is not a debugfs ring dump"), notARing.stderr)
    let badMemory = try mxgpu(["ring", "gfx", "--debugfs", vf, "--memory", "nowhere"])
    XCTAssertEqual(badMemory.status, 1)
    XCTAssertTrue(badMemory.stderr.hasPrefix("error: --memory takes FILE@ADDRESS"), badMemory.stderr)
  }

  /// A ring file whose INDIRECT_BUFFER points into a memory dump given with its address.
  func testAnIndirectBufferIsFollowedIntoAMemoryDump() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ib-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
    var ring = [UInt32](repeating: 0xFFFF_1000, count: 32)
    ring.replaceSubrange(4..<8, with: [0xC002_3F00, 0x1000, 0x80, 5])  // 5 dwords at 0x80_0000_1000
    let dump = RingDump(readPointer: 4, writePointer: 8, driverWritePointer: 8, dwords: ring)
    let ringFile = folder.appendingPathComponent("amdgpu_ring_gfx")
    try Data(dump.bytes).write(to: ringFile)
    var memory = [UInt32](repeating: 0, count: 0x2000 / 4)
    memory.replaceSubrange(0x400..<0x405, with: [0xC003_3700, 0x10_0000, 0xC040, 0, 0x600D])  // SCRATCH_REG0
    let memoryFile = folder.appendingPathComponent("gtt.bin")
    try Data(memory.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }).write(
      to: memoryFile)

    let run = try mxgpu(["ring", ringFile.path, "--history", "0", "--memory", memoryFile.path + "@0x8000000000"])
    XCTAssertEqual(run.status, 0, run.stderr)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.first, "gfx: 32 dwords; read pointer 4, write pointer 8, driver's write pointer 8")
    XCTAssertTrue(lines.contains("      indirect buffer at 0x80_0000_1000, 5 dwords:"), run.stdout)
    XCTAssertTrue(lines.contains("            SCRATCH_REG0 (0xC040) ← 0x600D: SCRATCH_REG0=0x600D"), run.stdout)
    let outside = try mxgpu(["ring", ringFile.path, "--memory", memoryFile.path + "@0x9000000000"])
    XCTAssertTrue(
      outside.stdout.contains("indirect buffer at 0x80_0000_1000, 5 dwords: its memory is not readable here"),
      outside.stdout)
  }

  func testTheSimulatorsRingsAreReadInProcess() throws {
    let gfx = try mxgpu(["ring", "gfx", "--sim"])
    XCTAssertEqual(gfx.status, 0, gfx.stderr)
    XCTAssertTrue(gfx.stdout.hasPrefix("gfx: 2048 dwords; read pointer "), gfx.stdout)
    XCTAssertTrue(gfx.stdout.contains("SWITCH_BUFFER"), gfx.stdout)
  }

  /// An MQD written through the generated `vi_mqd` view, dumped to a file after 16 bytes of
  /// something else, reads back member by member with its fields.
  func testAnMQDDumpReadsAsTheGeneratedViewWroteIt() throws {
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 + vi_mqd.dwordCount * 4, alignment: 4)
    defer { bytes.deallocate() }
    bytes.initializeMemory(as: UInt8.self, repeating: 0)
    let mqd = vi_mqd(unsafeBase: bytes.baseAddress! + 16)
    mqd.header = 0xC031_0800
    var control = mqd.cp_hqd_pq_control
    control[CP_HQD_PQ_CONTROL.QUEUE_SIZE] = 10
    control[CP_HQD_PQ_CONTROL.RPTR_BLOCK_SIZE] = 9
    control[CP_HQD_PQ_CONTROL.KMD_QUEUE] = true
    mqd.cp_hqd_pq_control = control
    mqd.reserved_t[3] = 0x55
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("mqd-\(UUID().uuidString)").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }

    let run = try mxgpu(["mqd", path, "--offset", "16"])
    XCTAssertEqual(run.status, 0, run.stderr)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.first, "0000 header = 0xC0310800")
    XCTAssertTrue(
      lines.contains(
        "0145 cp_hqd_pq_control = \(hex(control.rawValue)): QUEUE_SIZE=0xA RPTR_BLOCK_SIZE=9 MTYPE=MTYPE_NC_NV(0) "
          + "ENDIAN_SWAP=0 MIN_AVAIL_SIZE=0 PQ_ATC=0 CACHE_POLICY=0 SLOT_BASED_WPTR=0 NO_UPDATE_RPTR=0 "
          + "UNORD_DISPATCH=0 ROQ_PQ_IB_FLIP=0 PRIV_STATE=0 KMD_QUEUE=1"), run.stdout)
    XCTAssertTrue(lines.contains("0130 cp_hqd_active = 0x0"), "a 0 member without its fields")
    XCTAssertTrue(lines.contains { $0.hasSuffix("reserved_t[256]: 1 not 0: [3]=0x55") }, run.stdout)

    let short = try mxgpu(["mqd", path, "--offset", "32"])
    XCTAssertEqual(short.status, 1)
    XCTAssertEqual(
      short.stderr, "error: \(path) holds 2064 bytes: vi_mqd needs 2048 from byte 32 (a dword-aligned offset)\n")
  }

  func testASimulatedQueuesMQD() throws {
    let run = try mxgpu(["mqd", "--sim", "comp_1.0.0"])
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertTrue(run.stdout.hasPrefix("vi_mqd of comp_1.0.0 at 0x"), run.stdout)
    XCTAssertTrue(run.stdout.contains("DOORBELL_OFFSET=0x10 "), run.stdout)
    let gfx = try mxgpu(["mqd", "--sim", "gfx"])
    XCTAssertEqual(gfx.stderr, "error: ring 'gfx' has no MQD\n")
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

/// `0x…` as the tools print a value.
private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16, uppercase: true) }
