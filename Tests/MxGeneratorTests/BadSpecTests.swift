import Foundation
import MxGenerator
import MxSpecModel
import XCTest

/// Every bad-spec fixture, run in process: its stated diagnostics, located, and no output
/// (`BadSpecFixtures` says how a fixture states them).
final class BadSpecTests: XCTestCase {
  func testEveryBadSpecGivesItsLocatedDiagnosticAndNoOutput() throws {
    let entries = try BadSpecFixtures.entries()
    XCTAssertGreaterThanOrEqual(entries.count, 25)
    for entry in entries {
      let specs = BadSpecFixtures.specsPath(for: entry)
      let output = Generator().generate(specsAt: specs)
      XCTAssertNil(output.files, "\(entry): generated files despite errors")
      XCTAssertTrue(output.diagnostics.hasErrors, "\(entry): no error")
      let expectations = try BadSpecFixtures.expectations(for: entry, specs: specs)
      XCTAssertFalse(expectations.isEmpty, "\(entry): fixture states no expected diagnostic")
      let printed = output.diagnostics.all.map(\.description)
      for expected in expectations {
        XCTAssertTrue(
          printed.contains { expected.matches(printed: Substring($0)) },
          "\(entry): expected \(expected.description)\ngot:\n\(printed.joined(separator: "\n"))")
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
}
