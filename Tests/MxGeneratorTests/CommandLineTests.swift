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
