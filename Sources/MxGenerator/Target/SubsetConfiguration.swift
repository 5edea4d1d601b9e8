import MxSpecModel

/// What a consumer target takes from the built-in Tonga/Fiji data: the `mxgpukit.subset` file in
/// the target's folder, read by the build plugin.
///
/// One selection per line, a kind followed by names or globs (`*`, `?`, `[...]`), matched without
/// regard to case; `#` starts a comment:
///
///     registers MAILBOX_CONTROL MAILBOX_MSGBUF_*   # from any block
///     registers gfx_8_0:CP_HQD_*                   # from one block
///     blocks oss_3_0                               # every register of a block
///     enums VGT_EVENT_TYPE                         # a field enum, for code that names it
///     packets SET_RESOURCES MAP_QUEUES
///     messages *
///     chips tonga fiji
///
/// The singular (`register`, `block`, …) reads the same. Every name or glob must match something.
public struct SubsetConfiguration: Sendable, Equatable {
  /// The conventional file name, looked for in the target's folder.
  public static let fileName = "mxgpukit.subset"

  public enum Kind: String, Sendable, CaseIterable {
    case registers, blocks, enums, packets, messages, chips
  }

  /// One name or glob of a selection line.
  public struct Item: Sendable, Equatable {
    public var kind: Kind
    /// A block id the pattern is limited to (`gfx_8_0:CP_HQD_*`); registers only.
    public var block: String?
    public var pattern: String
    /// Where the item (its block prefix, if any) starts.
    public var location: SourceLocation
    /// Where the pattern itself starts.
    public var patternLocation: SourceLocation
  }

  public var items: [Item]

  public init(items: [Item] = []) {
    self.items = items
  }

  /// Reads a subset file; malformed lines are reported and left out.
  public static func parse(_ text: String, path: String) -> (SubsetConfiguration, Diagnostics) {
    var diagnostics = Diagnostics()
    var items: [Item] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let code = line.prefix { $0 != "#" }
      let words = Self.words(of: code)
      guard let (keyword, keywordColumn) = words.first else { continue }
      let at = { (column: Int) in SourceLocation(file: path, line: index + 1, column: column) }
      guard let kind = Kind(rawValue: keyword.lowercased()) ?? Kind(rawValue: keyword.lowercased() + "s") else {
        let expected = Kind.allCases.map(\.rawValue).joined(separator: ", ")
        diagnostics.error("unknown selection '\(keyword)': expected one of \(expected)", at: at(keywordColumn))
        continue
      }
      guard words.count > 1 else {
        diagnostics.error("'\(keyword)' names nothing: list names or globs after it", at: at(keywordColumn))
        continue
      }
      for (word, column) in words.dropFirst() {
        var block: String?
        var pattern = Substring(word)
        var patternColumn = column
        if let colon = word.firstIndex(of: ":") {
          guard kind == .registers else {
            diagnostics.error("only registers take a block prefix ('block:NAME')", at: at(column))
            continue
          }
          block = String(word[..<colon])
          pattern = word[word.index(after: colon)...]
          patternColumn = column + word.distance(from: word.startIndex, to: colon) + 1
        }
        guard !pattern.isEmpty, block?.isEmpty != true else {
          diagnostics.error("'\(word)' is not a name or 'block:NAME'", at: at(column))
          continue
        }
        items.append(
          Item(
            kind: kind, block: block, pattern: String(pattern), location: at(column),
            patternLocation: at(patternColumn)))
      }
    }
    return (SubsetConfiguration(items: items), diagnostics)
  }

  /// The whitespace-separated words of a line with their 1-based columns.
  private static func words(of line: Substring) -> [(String, Int)] {
    var result: [(String, Int)] = []
    var current = ""
    var start = 0
    for (offset, character) in line.enumerated() {
      if character.isWhitespace {
        if !current.isEmpty { result.append((current, start)) }
        current = ""
      } else {
        if current.isEmpty { start = offset + 1 }
        current.append(character)
      }
    }
    if !current.isEmpty { result.append((current, start)) }
    return result
  }
}
