import Foundation
import MxGenerator
import MxSpecModel
import XCTest

/// The `gen` executable run as a user runs it, over the real Specs, every bad-spec fixture and
/// the PM4 corpus, with the same expectations as the in-process tests. By default it is the
/// debug build next to the tests; CI sets `MXGPUKIT_GEN` to the release build and to the release
/// build with AddressSanitizer, because a debug build keeps every local alive to the end of its
/// scope and so hides pointers that C keeps past their lifetime.
final class GenExecutableTests: XCTestCase {
  private struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  private var gen: String {
    ProcessInfo.processInfo.environment["MXGPUKIT_GEN"]
      ?? URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("gen").path
  }

  private func run(_ arguments: [String], input: Data = Data()) throws -> Run {
    guard FileManager.default.isExecutableFile(atPath: gen) else { throw XCTSkip("no gen at \(gen)") }
    // Files rather than pipes: a large output cannot block the child while we wait for it.
    let folder = try Fixtures.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let paths = ["in", "out", "err"].map { folder + "/" + $0 }
    try input.write(to: URL(fileURLWithPath: paths[0]))
    for path in paths.dropFirst() { try Data().write(to: URL(fileURLWithPath: path)) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: gen)
    process.arguments = arguments
    process.standardInput = FileHandle(forReadingAtPath: paths[0])
    process.standardOutput = FileHandle(forWritingAtPath: paths[1])
    process.standardError = FileHandle(forWritingAtPath: paths[2])
    try process.run()
    process.waitUntilExit()
    let text = { (path: String) in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }
    let result = Run(status: process.terminationStatus, stdout: text(paths[1]), stderr: text(paths[2]))
    // A sanitizer reports on standard error and exits with its own status (CI sets 86), never 0 or 1.
    XCTAssertFalse(result.stderr.contains("Sanitizer"), "\(arguments): sanitizer report:\n\(result.stderr)")
    XCTAssertTrue(result.status == 0 || result.status == 1, "\(arguments): exit status \(result.status)")
    return result
  }

  func testCheckAcceptsTheRealSpecsAndGenerated() throws {
    let result = try run(["--check", "--specs", Fixtures.packageSpecs, "--output", Fixtures.packageGenerated])
    XCTAssertEqual(result.status, 0, result.stderr)
  }

  func testExportIsTheInProcessExport() throws {
    let result = try run(["export", "--json", "--specs", Fixtures.packageSpecs])
    XCTAssertEqual(result.status, 0, result.stderr)
    let (spec, diagnostics) = Fixtures.packageSpec
    XCTAssertFalse(diagnostics.hasErrors)
    XCTAssertEqual(result.stdout, String(decoding: try SpecExport.json(spec), as: UTF8.self) + "\n")
  }

  func testDescribeIsTheInProcessDiagram() throws {
    let (spec, _) = Fixtures.packageSpec
    for (name, value) in [("MAILBOX_CONTROL", "0x101"), ("CP_HQD_PQ_CONTROL", "0xC0000911"), ("SRBM_GFX_CNTL", nil)] {
      let result = try run(["describe", name] + (value.map { [$0] } ?? []) + ["--specs", Fixtures.packageSpecs])
      XCTAssertEqual(result.status, 0, result.stderr)
      let (block, register) = try XCTUnwrap(
        spec.blocks.lazy.compactMap { block in block.registers.first { $0.name == name }.map { (block, $0) } }.first)
      XCTAssertEqual(
        result.stdout,
        RegisterDiagram.render(register, of: block, value: value.map { UInt32($0.dropFirst(2), radix: 16)! }))
    }
  }

  /// Every corpus stream decodes as the in-process disassembler decodes it, errors included.
  func testDecodeCorpusIsTheInProcessDisassembly() throws {
    let (spec, _) = Fixtures.packageSpec
    let disassembler = PacketDisassembler(set: try XCTUnwrap(spec.packetSets.first))
    let corpus = try FileManager.default.contentsOfDirectory(atPath: Fixtures.pm4Corpus).filter { $0.hasSuffix(".bin") }
    XCTAssertGreaterThanOrEqual(corpus.count, 10)
    for name in corpus.sorted() {
      let path = Fixtures.pm4Corpus + "/" + name
      let bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
      let result = try run(["decode", "--binary", path, "--specs", Fixtures.packageSpecs + "/packets"])
      guard bytes.count % 4 == 0 else {
        XCTAssertEqual(result.status, 1, name)
        XCTAssertTrue(result.stderr.contains("not a whole number of dwords"), "\(name): \(result.stderr)")
        continue
      }
      let dwords = try DwordInput.binary([UInt8](bytes)).get()
      let (packets, error) = disassembler.decode(dwords)
      XCTAssertEqual(result.stdout, packets.map { $0.line + "\n" }.joined(), name)
      XCTAssertEqual(result.status, error == nil ? 0 : 1, "\(name): \(result.stderr)")
      if let error { XCTAssertTrue(result.stderr.contains("error: \(error)"), "\(name): \(result.stderr)") }
    }
  }

  func testEveryBadSpecFailsWithItsDiagnosticsAndLeavesOutputAlone() throws {
    let output = try Fixtures.temporaryFolder()
    try Data("mine\n".utf8).write(to: URL(fileURLWithPath: output + "/README.txt"))
    let before = Fixtures.snapshot(output)
    for entry in try BadSpecFixtures.entries() {
      let specs = BadSpecFixtures.specsPath(for: entry)
      let result = try run(["--specs", specs, "--output", output])
      XCTAssertEqual(result.status, 1, "\(entry): \(result.stderr)")
      let lines = result.stderr.split(separator: "\n")
      for expected in try BadSpecFixtures.expectations(for: entry, specs: specs) {
        XCTAssertTrue(
          lines.contains { expected.matches(printed: $0) },
          "\(entry): expected \(expected.description)\ngot:\n\(result.stderr)")
      }
      XCTAssertEqual(Fixtures.snapshot(output), before, "\(entry) touched the output folder")
    }
  }
}
