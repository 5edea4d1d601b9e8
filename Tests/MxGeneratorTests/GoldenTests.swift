import Foundation
import MxGenerator
import MxSwiftEmitter
import XCTest

/// The emitted Swift for Fixtures/Golden/spec.xml must equal Fixtures/Golden/expected/ byte for
/// byte. After an intended change of the emitter, regenerate with `UPDATE_GOLDEN=1 swift test`
/// and review the diff.
final class GoldenTests: XCTestCase {
  func testEmittedCodeMatchesGoldenFiles() throws {
    let output = Generator().generate(specsAt: Fixtures.golden + "/spec.xml")
    let files = try XCTUnwrap(output.files, output.diagnostics.all.map(\.description).joined(separator: "\n"))
    let expected = Fixtures.golden + "/expected"
    if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
      try? FileManager.default.removeItem(atPath: expected)
      try OutputFolder(path: expected).write(files)
    }
    XCTAssertEqual(OutputFolder(path: expected).differences(from: files), [])
  }

  func testSpecTextCannotLeaveDocComments() throws {
    let output = Generator().generate(specsAt: Fixtures.golden + "/spec.xml")
    let files = try XCTUnwrap(output.files)
    // MxBuiltInSpecs holds the spec's model as archive text, inside a raw literal whose delimiters the text
    // cannot contain (BuiltInSpecsTests): there, the text is data, not code or comment.
    for file in files where !file.path.hasPrefix(BuiltInSpecsEmitter.moduleName + "/") {
      for line in file.contents.split(separator: "\n") where line.contains("injected") || line.contains("*\\/") {
        XCTAssertTrue(
          line.trimmingCharacters(in: .whitespaces).hasPrefix("///"), "spec text outside a comment: \(line)")
      }
      XCTAssertFalse(
        file.contents.unicodeScalars.contains { $0.value == 0x2028 }, "line separator kept in \(file.path)")
    }
  }
}
