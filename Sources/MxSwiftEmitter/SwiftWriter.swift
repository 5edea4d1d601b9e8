/// Builds Swift source line by line with two-space indentation, the layout `swift format`
/// uses by default, so generated files need no formatting pass.
struct SwiftWriter {
  /// UTF-8 bytes rather than a `String`: appending to a byte array is a plain copy, without the
  /// string's per-append bookkeeping (emission is the largest part of `gen --check`).
  private var bytes: [UInt8] = []
  var text: String { String(decoding: bytes, as: UTF8.self) }
  private var depth = 0

  mutating func line(_ content: String = "") {
    line(content, "")
  }

  /// One line made of two pieces, appended piece by piece: no temporary string per line
  /// (emission writes megabytes).
  private mutating func line(_ first: String, _ second: String, _ third: String = "") {
    if !first.isEmpty || !second.isEmpty || !third.isEmpty {
      for _ in 0..<depth {
        bytes.append(0x20)
        bytes.append(0x20)
      }
      bytes.append(contentsOf: first.utf8)
      bytes.append(contentsOf: second.utf8)
      bytes.append(contentsOf: third.utf8)
    }
    bytes.append(0x0A)
  }

  /// `opening {`, the body one level deeper, then `}`. An opening too long for the line (120
  /// columns, the package's `swift format` setting) leaves its brace to the next line, as
  /// `swift format` does.
  mutating func block(_ opening: String, _ body: (inout SwiftWriter) -> Void) {
    // Declarations are ASCII (names are validated identifiers): bytes are columns.
    if 2 * depth + opening.utf8.count + 2 > 120 {
      line(opening)
      line("{")
    } else {
      line(opening + " {")
    }
    depth += 1
    body(&self)
    depth -= 1
    line("}")
  }

  /// A `///` comment, paragraphs separated by a blank comment line. Spec text can never leave
  /// the comment: it is split at every line break Swift or an editor might honour, and control
  /// and bidirectional-override characters are dropped.
  mutating func doc(_ paragraphs: String?...) {
    var first = true
    for paragraph in paragraphs.compactMap({ $0 }) {
      let lines = DocText.lines(paragraph)
      guard !lines.isEmpty else { continue }
      if !first { line("///") }
      first = false
      for docLine in lines {
        line(docLine.isEmpty ? "///" : "/// ", docLine)
      }
    }
  }

  /// `declaration { body }` on one line when it fits in `limit` columns, else over three.
  mutating func member(_ declaration: String, body: String, limit: Int = 100) {
    // Declarations are ASCII (names are validated identifiers): bytes are columns.
    if 2 * depth + declaration.utf8.count + body.utf8.count + 5 <= limit {
      line(declaration, " { ", body + " }")
    } else {
      block(declaration) { $0.line(body) }
    }
  }
}

enum DocText {
  static func lines(_ text: String) -> [String] {
    var result: [String] = []
    // Most documentation is printable ASCII, and most of it one line: split it without
    // touching scalars.
    var lineBreaks = 0
    if text.utf8.allSatisfy({ byte in
      if byte == 0x0A { lineBreaks += 1 }
      return byte >= 0x20 && byte < 0x7F || byte == 0x0A
    }) {
      if lineBreaks == 0 && text.utf8.last != UInt8(ascii: " ") { return text.isEmpty ? [] : [text] }
      result = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { String($0)! }
    } else {
      result = scalarLines(text)
    }
    // Trim trailing spaces and collapse runs of blank lines.
    var trimmed: [String] = []
    for var item in result {
      while item.last == " " { item.removeLast() }
      if item.isEmpty && (trimmed.last?.isEmpty ?? true) { continue }
      trimmed.append(item)
    }
    while trimmed.last?.isEmpty == true { trimmed.removeLast() }
    return trimmed
  }

  /// Lines of any text: every line break Unicode knows ends a line, tabs become spaces, and
  /// control and bidirectional-override characters are dropped.
  private static func scalarLines(_ text: String) -> [String] {
    var result: [String] = []
    var current = ""
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029:
        result.append(current)
        current = ""
      case 0x09:
        current += " "
      case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F:
        continue
      default:
        current.unicodeScalars.append(scalar)
      }
    }
    result.append(current)
    return result
  }
}
