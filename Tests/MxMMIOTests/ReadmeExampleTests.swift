import Foundation
import MxBIF50
import MxChips
import MxMMIO
import XCTest

/// The README's register example ("Using the registers"), run as written on a register file and
/// held to the output the README shows beside it.
final class ReadmeExampleTests: XCTestCase {
  func testTheREADMEsRegisterExamplePrintsWhatTheREADMEShows() throws {
    var printed: [String] = []
    func print(_ item: Any) { printed.append("\(item)") }

    // The README's code, line for line (the test below checks that it is).
    let bar = RecordingBus(recording: RegisterFile([BIF_IOV_FUNC_IDENTIFIER.info.offset: 0x1]))  // for a test
    let id = bar.read(BIF_IOV_FUNC_IDENTIFIER.self)  // RegisterValue<BIF_IOV_FUNC_IDENTIFIER>
    if id[BIF_IOV_FUNC_IDENTIFIER.FUNC_IDENTIFIER] {  // this function is a VF
      bar.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = true }
    }
    print(bar.read(MAILBOX_CONTROL.self))
    bar.apply(Tonga.xgpu_tonga_golden_common_all)  // import MxChips
    for access in bar.trace.prefix(6) { print(access) }

    let readme = try Self.readme()
    XCTAssertEqual(
      printed,
      try Self.block(after: "```swift", in: readme).filter { $0.hasPrefix("// ") }.map {
        String($0.dropFirst(3))
      })
  }

  func testTheTestRunsTheREADMEsCode() throws {
    let readme = try Self.readme()
    let code = try Self.block(after: "```swift", in: readme).filter { !$0.hasPrefix("//") && !$0.hasPrefix("import") }
    let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
    let sourceLines = Set(source.split(separator: "\n").map { Self.code(of: $0) })
    for line in code where !line.isEmpty {
      XCTAssertTrue(sourceLines.contains(Self.code(of: Substring(line))), "not run by the test: \(line)")
    }
  }

  /// The README's "Using the registers" section.
  private static func readme() throws -> [String] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("README.md")
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(of: "## Using the registers") else { throw Missing.section }
    return lines[start...].map(String.init)
  }

  /// The lines of the first fenced block that opens with `fence`.
  private static func block(after fence: String, in lines: [String]) throws -> [String] {
    guard let open = lines.firstIndex(of: fence), let close = lines[(open + 1)...].firstIndex(of: "```") else {
      throw Missing.block
    }
    return Array(lines[(open + 1)..<close])
  }

  /// A line's code without its indentation, its trailing comment or a `bar` definition's
  /// explanation (the README names the driver's bus in a comment there).
  private static func code(of line: Substring) -> String {
    let text = line.trimmingCharacters(in: .whitespaces)
    guard let comment = text.range(of: "  //") else { return text }
    return String(text[..<comment.lowerBound]).trimmingCharacters(in: .whitespaces)
  }

  private enum Missing: Error { case section, block }
}
