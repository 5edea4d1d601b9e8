import Foundation

/// Each entry of Fixtures/BadSpecs has one defect. The diagnostic it must produce is written in
/// the fixture itself, as a comment on the line before the defect:
/// `<!-- expect COL: error: MESSAGE -->` (or `<!-- expect: error: MESSAGE -->` for any column);
/// `{file}` and `{dir}` stand for the fixture's display path and folder. A `NAME.expect` file
/// holds `LINE COL error: MESSAGE` lines for fixtures that cannot carry a comment.
enum BadSpecFixtures {
  struct Expectation {
    var file: String
    var line: Int
    var column: Int?
    /// `error: MESSAGE`.
    var text: String

    /// Whether a printed diagnostic line (`path:line:col: error: message`) is this one.
    func matches(printed line: Substring) -> Bool {
      let prefix = "\(file):\(self.line):"
      guard line.hasPrefix(prefix) else { return false }
      let rest = line.dropFirst(prefix.count)
      guard let colon = rest.firstIndex(of: ":"), let printedColumn = Int(rest[..<colon]) else { return false }
      return (column == nil || column == printedColumn) && rest[colon...].dropFirst(2) == text
    }

    var description: String { "\(file):\(line):\(column.map(String.init) ?? "*"): \(text)" }
  }

  /// Every fixture, by name.
  static func entries() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: Fixtures.badSpecs)
      .filter { !$0.hasSuffix(".expect") }.sorted()
  }

  /// What to pass as `--specs` for a fixture: its `specs` folder when it has one.
  static func specsPath(for entry: String) -> String {
    let path = Fixtures.badSpecs + "/" + entry
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path + "/specs", isDirectory: &isDirectory), isDirectory.boolValue {
      return path + "/specs"
    }
    return path
  }

  /// The diagnostics the fixture states it must produce.
  static func expectations(for entry: String, specs: String) throws -> [Expectation] {
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
