import Foundation
import TestSupport
import XCTest

/// docs/Debugging.md runs as written: every `$ swift run TOOL …` line of its console blocks is run,
/// and what it prints must be the lines shown under it, `…` standing for any number of lines.
final class WalkthroughTests: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  func testTheDebuggingWalkthroughIsWhatTheToolsPrint() throws {
    let text = try String(contentsOf: Self.root.appendingPathComponent("docs/Debugging.md"), encoding: .utf8)
    let commands = Self.commands(in: text)
    XCTAssertEqual(commands.count, 8, "the page's commands")
    addTeardownBlock { try? FileManager.default.removeItem(atPath: "/tmp/mxgpukit-walkthrough") }
    for (command, expected) in commands {
      var words = command.split(separator: " ").map(String.init)
      XCTAssertEqual(Array(words.prefix(2)), ["swift", "run"], command)
      words.removeFirst(2)
      let tool = words.removeFirst()
      let run = try ExecutableRun(tool, words + ["--specs", Self.root.appendingPathComponent("Specs").path])
      let printed = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      XCTAssertTrue(
        Self.matches(Array(printed.dropLast(printed.last == "" ? 1 : 0)), expected),
        "$ \(command)\n--- shown:\n\(expected.joined(separator: "\n"))\n--- printed:\n\(run.stdout)\(run.stderr)")
    }
  }

  /// Each command of the page's console blocks with the lines shown under it.
  static func commands(in text: String) -> [(command: String, output: [String])] {
    var commands: [(command: String, output: [String])] = []
    var inConsole = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      if line.hasPrefix("```") {
        inConsole = !inConsole && line == "```console"
      } else if inConsole, line.hasPrefix("$ ") {
        commands.append((String(line.dropFirst(2)), []))
      } else if inConsole, !commands.isEmpty {
        commands[commands.count - 1].output.append(line)
      }
    }
    return commands
  }

  /// Whether `printed` is `shown`, where a `…` line of `shown` stands for any lines.
  static func matches(_ printed: ArraySlice<String>, _ shown: ArraySlice<String>) -> Bool {
    guard let first = shown.first else { return printed.isEmpty }
    if first == "…" {
      return printed.indices.contains { matches(printed[$0...], shown.dropFirst()) }
        || matches(printed[printed.endIndex...], shown.dropFirst())
    }
    return printed.first == first && matches(printed.dropFirst(), shown.dropFirst())
  }

  static func matches(_ printed: [String], _ shown: [String]) -> Bool { matches(printed[...], shown[...]) }

  func testTheMatcher() {
    XCTAssertTrue(Self.matches(["a", "b", "c"], ["a", "…", "c"]))
    XCTAssertTrue(Self.matches(["a", "c"], ["a", "…", "c"]))
    XCTAssertTrue(Self.matches(["a", "b"], ["a", "…"]))
    XCTAssertFalse(Self.matches(["a", "b", "d"], ["a", "…", "c"]))
    XCTAssertFalse(Self.matches(["a", "b"], ["a"]))
  }
}
