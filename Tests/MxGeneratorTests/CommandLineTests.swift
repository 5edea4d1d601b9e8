import Foundation
import XCTest

/// Runs the built `gen` executable the way a user does.
final class CommandLineTests: XCTestCase {
  private var gen: String {
    URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("gen").path
  }

  private func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: gen)
    process.arguments = arguments
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = Pipe()
    try process.run()
    let data = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  func testBadSpecExitsNonZeroWithCompilerFormatDiagnosticAndLeavesOutputAlone() throws {
    guard FileManager.default.isExecutableFile(atPath: gen) else { throw XCTSkip("gen not built next to the tests") }
    let output = try Fixtures.temporaryFolder()
    try Data("mine\n".utf8).write(to: URL(fileURLWithPath: output + "/README.txt"))
    let before = Fixtures.snapshot(output)
    let spec = Fixtures.badSpecs + "/duplicate-register.xml"
    let result = try run(["--specs", spec, "--output", output])
    XCTAssertEqual(result.status, 1)
    XCTAssertTrue(result.stderr.contains("\(spec):6:5: error: duplicate register 'A'"), result.stderr)
    XCTAssertEqual(Fixtures.snapshot(output), before)
  }

  func testGenerateThenCheck() throws {
    guard FileManager.default.isExecutableFile(atPath: gen) else { throw XCTSkip("gen not built next to the tests") }
    let output = try Fixtures.temporaryFolder()
    let spec = Fixtures.golden + "/spec.xml"
    XCTAssertEqual(try run(["--specs", spec, "--output", output, "--check"]).status, 1, "empty output is stale")
    XCTAssertEqual(try run(["--specs", spec, "--output", output]).status, 0)
    XCTAssertEqual(try run(["--specs", spec, "--output", output, "--check"]).status, 0)
    try Data("// edited\n".utf8).write(to: URL(fileURLWithPath: output + "/MxDEMO12/Enums.swift"))
    let stale = try run(["--specs", spec, "--output", output, "--check"])
    XCTAssertEqual(stale.status, 1)
    XCTAssertTrue(stale.stderr.contains("MxDEMO12/Enums.swift: differs"), stale.stderr)
  }
}

final class DecodeCommandTests: XCTestCase {
  private func gen(_ arguments: [String], input: String) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("gen")
    guard FileManager.default.isExecutableFile(atPath: process.executableURL!.path) else {
      throw XCTSkip("gen not built")
    }
    process.arguments = arguments + ["--specs", Fixtures.packageSpecs]
    let (stdin, stdout, stderr) = (Pipe(), Pipe(), Pipe())
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
  }

  func testDecodePrintsOneLinePerPacket() throws {
    let result = try gen(["decode"], input: "0xC0017900, 0x40,0xDEADBEEF\nFFFF1000")
    XCTAssertEqual(result.status, 0)
    XCTAssertEqual(
      result.stdout,
      "0000: SET_UCONFIG_REG REG_OFFSET=0x40 payload=[0xDEADBEEF]\n"
        + "      SCRATCH_REG0 (0xC040) ← 0xDEADBEEF: SCRATCH_REG0=0xDEADBEEF\n0003: NOP\n")
    let bare = try gen(["decode", "--no-registers"], input: "0xC0017900, 0x40,0xDEADBEEF\nFFFF1000")
    XCTAssertEqual(bare.stdout, "0000: SET_UCONFIG_REG REG_OFFSET=0x40 payload=[0xDEADBEEF]\n0003: NOP\n")
    let json = try gen(["decode", "--json"], input: "C0017900 40 DEADBEEF")
    let packets = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    let register = try XCTUnwrap((packets.first?["registers"] as? [[String: Any]])?.first)
    XCTAssertEqual(register["name"] as? String, "SCRATCH_REG0")
    XCTAssertEqual(register["block"] as? String, "gfx_8_0")
    XCTAssertEqual(register["offset"] as? Int, 0xC040)
    XCTAssertEqual(register["value"] as? Int, 0xDEAD_BEEF)
    XCTAssertEqual(register["kind"] as? String, "write")
  }

  func testDecodeJSONCarriesHeaderAndBodyFieldsAsIntegers() throws {
    let result = try gen(["decode", "--json"], input: "C004A300 20000001 4C 0 0 0")
    XCTAssertEqual(result.status, 0)
    let packets = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    XCTAssertEqual(packets.first?["opcode"] as? String, "UNMAP_QUEUES")
    let body = try XCTUnwrap(packets.first?["body"] as? [String: Int])
    XCTAssertEqual(body["ACTION"], 1)
    XCTAssertEqual(body["NUM_QUEUES"], 1)
    XCTAssertEqual(body["DOORBELL_OFFSET0"], 0x13)
    XCTAssertEqual((packets.first?["header"] as? [String: Any])?["count"] as? Int, 4)
  }

  func testDecodeErrorsNameTheDwordAndFail() throws {
    let unknown = try gen(["decode"], input: "FFFF1000 C000EE00 0")
    XCTAssertEqual(unknown.status, 1)
    XCTAssertTrue(unknown.stderr.contains("error: dword 1: unknown opcode 0xEE"), unknown.stderr)
    // The example: a named opcode without a layout stops the strict decoder by name.
    let named = try gen(["decode"], input: "C0012D00 3 2 FFFF1000")
    XCTAssertEqual(named.status, 1)
    XCTAssertTrue(
      named.stderr.contains("error: dword 0: DRAW_INDEX_AUTO: no layout for opcode 0x2D in pm4_vi"), named.stderr)
    let truncated = try gen(["decode", "--json"], input: "C005A200 0 0")
    XCTAssertEqual(truncated.status, 1)
    XCTAssertEqual(truncated.stdout, "")
    XCTAssertTrue(truncated.stderr.contains("dword 0: header counts 6 body dwords but only 2 follow"), truncated.stderr)
    XCTAssertEqual(try gen(["decode"], input: "C0017900 xyz").status, 1)
  }

  func testLenientDecodeNeverStops() throws {
    let input = "C0012D00 3 2 FFFF1000 C005A200 0 0"
    let text = try gen(["decode", "--lenient"], input: input)
    XCTAssertEqual(text.status, 0)
    XCTAssertEqual(
      text.stdout,
      "0000: DRAW_INDEX_AUTO, not decoded (no layout for opcode 0x2D in pm4_vi): body=[0x3, 0x2]\n0003: NOP\n"
        + "0004: 3 dwords of garbage (header counts 6 body dwords but only 2 follow)\n")
    let json = try gen(["decode", "--lenient", "--json"], input: input)
    XCTAssertEqual(json.status, 0)
    let items = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    XCTAssertEqual(items.map { $0["kind"] as? String }, ["undecoded", "packet", "garbage"])
    XCTAssertEqual(items[0]["opcode"] as? String, "DRAW_INDEX_AUTO")
    XCTAssertEqual(items.map { $0["index"] as? Int }, [0, 3, 4])
    XCTAssertEqual(items[0]["dwordCount"] as? Int, 3)
    XCTAssertEqual(items[1]["opcode"] as? String, "NOP")
  }
}
