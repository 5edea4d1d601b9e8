/// Builds Swift source line by line with two-space indentation, the layout `swift format`
/// uses by default, so generated files need no formatting pass.
struct SwiftWriter {
  private(set) var text = ""
  private var depth = 0

  mutating func line(_ content: String = "") {
    if content.isEmpty {
      text += "\n"
    } else {
      text += String(repeating: "  ", count: depth) + content + "\n"
    }
  }

  /// `opening {`, the body one level deeper, then `}`.
  mutating func block(_ opening: String, _ body: (inout SwiftWriter) -> Void) {
    line(opening + " {")
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
        line(docLine.isEmpty ? "///" : "/// " + docLine)
      }
    }
  }

  /// `declaration { body }` on one line when it fits in `limit` columns, else over three.
  mutating func member(_ declaration: String, body: String, limit: Int = 100) {
    let single = declaration + " { " + body + " }"
    if String(repeating: "  ", count: depth).count + single.count <= limit {
      line(single)
    } else {
      block(declaration) { $0.line(body) }
    }
  }
}

enum DocText {
  static func lines(_ text: String) -> [String] {
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
}
