import Foundation
import MxGenerator
import MxSpecModel
import XCTest

/// Each entry of Fixtures/BadSpecs has one defect. The diagnostic it must produce is written in
/// the fixture itself, as a comment on the line before the defect:
/// `<!-- expect COL: error: MESSAGE -->` (or `<!-- expect: error: MESSAGE -->` for any column);
/// `{file}` and `{dir}` stand for the fixture's display path and folder. A `NAME.expect` file
/// holds `LINE COL error: MESSAGE` lines for fixtures that cannot carry a comment.
final class BadSpecTests: XCTestCase {
  struct Expectation {
    var file: String
    var line: Int
    var column: Int?
    var text: String
  }

  func testEveryBadSpecGivesItsLocatedDiagnosticAndNoOutput() throws {
    let entries = try FileManager.default.contentsOfDirectory(atPath: Fixtures.badSpecs)
      .filter { !$0.hasSuffix(".expect") }.sorted()
    XCTAssertGreaterThanOrEqual(entries.count, 25)
    for entry in entries {
      let specs = specsPath(for: entry)
      let output = Generator().generate(specsAt: specs)
      XCTAssertNil(output.files, "\(entry): generated files despite errors")
      XCTAssertTrue(output.diagnostics.hasErrors, "\(entry): no error")
      let expectations = try expectations(for: entry, specs: specs)
      XCTAssertFalse(expectations.isEmpty, "\(entry): fixture states no expected diagnostic")
      let printed = output.diagnostics.all.map(\.description)
      for expected in expectations {
        let match = output.diagnostics.all.contains { diagnostic in
          guard let location = diagnostic.location else { return false }
          return location.file == expected.file && location.line == expected.line
            && (expected.column == nil || location.column == expected.column)
            && "\(diagnostic.severity.rawValue): \(diagnostic.message)" == expected.text
        }
        XCTAssertTrue(
          match,
          "\(entry): expected \(expected.file):\(expected.line):\(expected.column.map(String.init) ?? "*"): \(expected.text)\ngot:\n\(printed.joined(separator: "\n"))"
        )
      }
      for diagnostic in output.diagnostics.errors {
        XCTAssertNotNil(diagnostic.location, "\(entry): unlocated diagnostic \(diagnostic)")
      }
    }
  }

  func testEveryErrorOfARunIsReported() {
    // One file, four independent defects: all four are reported in one run.
    let output = Generator().generate(specsAt: Fixtures.root + "/MultipleErrors.xml")
    XCTAssertEqual(
      output.diagnostics.errors.count, 4, output.diagnostics.all.map(\.description).joined(separator: "\n"))
  }

  private func specsPath(for entry: String) -> String {
    let path = Fixtures.badSpecs + "/" + entry
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path + "/specs", isDirectory: &isDirectory), isDirectory.boolValue {
      return path + "/specs"
    }
    return path
  }

  private func expectations(for entry: String, specs: String) throws -> [Expectation] {
    var result: [Expectation] = []
    var isDirectory: ObjCBool = false
    let files =
      FileManager.default.fileExists(atPath: specs, isDirectory: &isDirectory) && isDirectory.boolValue
      ? (FileManager.default.enumerator(atPath: specs)?.allObjects as? [String] ?? [])
        .filter { $0.hasSuffix(".xml") }.map { specs + "/" + $0 }
      : [specs]
    for file in files {
      let text = try String(contentsOfFile: file, encoding: .utf8)
      for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        guard let start = line.range(of: "<!-- expect"), let end = line.range(of: " -->") else { continue }
        var body = String(line[start.upperBound..<end.lowerBound])
        var column: Int?
        if body.hasPrefix(" ") {
          body.removeFirst()
          let parts = body.split(separator: ":", maxSplits: 1)
          column = Int(parts[0])
          body = String(parts[1])
        } else {
          body.removeFirst()  // ':'
        }
        body = body.trimmingCharacters(in: .whitespaces)
          .replacingOccurrences(of: "{file}", with: file)
          .replacingOccurrences(of: "{dir}", with: specs)
        result.append(Expectation(file: file, line: index + 2, column: column, text: body))
      }
    }
    let sidecar = Fixtures.badSpecs + "/" + (entry as NSString).deletingPathExtension + ".expect"
    if let text = try? String(contentsOfFile: sidecar, encoding: .utf8) {
      for line in text.split(separator: "\n") {
        let parts = line.split(separator: " ", maxSplits: 2)
        result.append(Expectation(file: specs, line: Int(parts[0])!, column: Int(parts[1])!, text: String(parts[2])))
      }
    }
    return result
  }
}
