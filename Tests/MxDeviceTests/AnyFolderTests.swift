import Foundation
import TestSupport
import XCTest

/// The tools carry MxGPUKit's specs (`MxBuiltInSpecs`): run from a folder without `Specs/`, with
/// an empty environment, or copied alone elsewhere, they print what they print inside the
/// repository; `--specs` still overrides the built-in data.
final class AnyFolderTests: XCTestCase {
  private static let repositorySpecs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Specs").path

  /// Two empty folders: one the tool is copied into, one it runs in.
  private func emptyFolders() throws -> (bin: String, elsewhere: String) {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("any-folder-\(UUID().uuidString)")
    addTeardownBlock { try? FileManager.default.removeItem(at: root) }
    let bin = root.appendingPathComponent("bin").path
    let elsewhere = root.appendingPathComponent("elsewhere").path
    for folder in [bin, elsewhere] {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    return (bin, elsewhere)
  }

  /// Runs `tool` copied alone into `bin`, in `elsewhere`, with next to nothing in its environment;
  /// and the built one with `--specs` pointing at the repository's Specs/, in `bin` (a scratch
  /// folder too: what a tool writes, such as `gen doc`'s reference, stays out of the checkout).
  private func both(_ tool: String, _ arguments: [String], folders: (bin: String, elsewhere: String)) throws
    -> (alone: ExecutableRun, withSpecs: ExecutableRun)
  {
    let copy = folders.bin + "/" + tool
    if !FileManager.default.fileExists(atPath: copy) {
      try FileManager.default.copyItem(atPath: try ExecutableRun.path(of: tool), toPath: copy)
    }
    // Nothing but a PATH, and the sanitizer options CI runs the tests with (a sanitized tool
    // would otherwise report the process's leftovers at exit as leaks).
    let sanitizerOptions = ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }
    let alone = try ExecutableRun(
      executable: copy, arguments, in: folders.elsewhere,
      environment: sanitizerOptions.merging(["PATH": "/usr/bin:/bin"]) { $1 })
    let withSpecs = try ExecutableRun(
      executable: try ExecutableRun.path(of: tool), arguments + ["--specs", Self.repositorySpecs], in: folders.bin)
    return (alone, withSpecs)
  }

  func testALoneCopiedMxgpuReadsRegistersRingsAndMQDsAsInTheRepository() throws {
    let folders = try emptyFolders()
    for arguments in [
      ["read", "MAILBOX_CONTROL", "--sim"], ["ring", "kiq_2.1.0", "--sim"], ["mqd", "--sim", "comp_1.0.0"],
    ] {
      let (alone, withSpecs) = try both("mxgpu", arguments, folders: folders)
      XCTAssertEqual(alone.status, 0, "\(arguments): \(alone.stderr)")
      XCTAssertEqual(alone.stdout, withSpecs.stdout, "\(arguments)")
      XCTAssertEqual(alone.stderr, "", "\(arguments)")
    }
    let (read, _) = try both("mxgpu", ["read", "0x5340", "--byte-address", "--sim"], folders: folders)
    XCTAssertTrue(read.stdout.hasPrefix("MAILBOX_CONTROL - bif_5_0"), read.stdout)
  }

  func testGenDescribesDecodesAndDocumentsFromAnyFolder() throws {
    let folders = try emptyFolders()
    let (describe, describeWithSpecs) = try both("gen", ["describe", "CP_HQD_ACTIVE", "0x1"], folders: folders)
    XCTAssertEqual(describe.status, 0, describe.stderr)
    XCTAssertTrue(describe.stdout.hasPrefix("CP_HQD_ACTIVE - gfx_8_0"), describe.stdout)
    XCTAssertEqual(describe.stdout, describeWithSpecs.stdout)

    // SET_UCONFIG_REG of SCRATCH_REG0, as little-endian dwords.
    let packet = folders.elsewhere + "/packet.bin"
    let dwords: [UInt32] = [0xC001_7900, 0x40, 0xDEAD_BEEF]
    try Data(dwords.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } })
      .write(to: URL(fileURLWithPath: packet))
    let (decode, decodeWithSpecs) = try both("gen", ["decode", "--binary", packet], folders: folders)
    XCTAssertEqual(decode.status, 0, decode.stderr)
    XCTAssertTrue(decode.stdout.contains("SCRATCH_REG0 (0xC040) ← 0xDEADBEEF"), decode.stdout)
    XCTAssertEqual(decode.stdout, decodeWithSpecs.stdout)

    let (doc, _) = try both("gen", ["doc", "--html", "reference"], folders: folders)
    XCTAssertEqual(doc.status, 0, doc.stderr)
    let page = try String(contentsOfFile: folders.elsewhere + "/reference/index.html", encoding: .utf8)
    XCTAssertTrue(page.contains("gfx_8_0"), "the reference lists the built-in blocks")
  }

  func testGivenSpecsReplaceTheBuiltInOnes() throws {
    let golden = URL(fileURLWithPath: Self.repositorySpecs).deletingLastPathComponent()
      .appendingPathComponent("Tests/Fixtures/Golden/spec.xml").path
    let builtIn = try ExecutableRun("gen", ["describe", "MAILBOX_CONTROL"])
    XCTAssertEqual(builtIn.status, 0, builtIn.stderr)
    let replaced = try ExecutableRun("gen", ["describe", "MAILBOX_CONTROL", "--specs", golden])
    XCTAssertEqual(replaced.status, 1)
    XCTAssertTrue(replaced.stderr.contains("MAILBOX_CONTROL"), replaced.stderr)
    let missing = try ExecutableRun("mxgpu", ["read", "MAILBOX_CONTROL", "--sim", "--specs", "/nonexistent"])
    XCTAssertEqual(missing.status, 1)
    XCTAssertEqual(missing.stderr, "error: cannot read the specs at '/nonexistent' (1 error)\n")
  }

  func testMxgpuSimNamesRegistersFromAnyFolder() throws {
    let folders = try emptyFolders()
    let (alone, withSpecs) = try both("mxgpu-sim", ["--steps", "bring-up"], folders: folders)
    XCTAssertEqual(alone.status, 0, alone.stderr)
    XCTAssertTrue(alone.stdout.contains("MAILBOX_MSGBUF_TRN_DW0"), alone.stdout)
    XCTAssertEqual(alone.stdout, withSpecs.stdout)
  }
}
