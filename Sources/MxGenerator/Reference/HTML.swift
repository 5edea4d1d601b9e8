/// Text for the HTML reference. Pages are polyglot HTML5 — also well-formed XML (void elements
/// closed, only the XML entities) — so a test can parse every one of them.
enum HTML {
  /// `text` with `&`, `<`, `>`, `"` and `'` escaped, for element content and attribute values.
  static func escape(_ text: String) -> String {
    // Names and most prose have nothing to escape: keep them as they are.
    guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 })
    else { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default:
        // Control characters have no place in a page (XML forbids most of them).
        if character.unicodeScalars.allSatisfy({ $0.value >= 0x20 || $0 == "\n" || $0 == "\t" }) {
          out.append(character)
        }
      }
    }
    return out
  }

  /// A whole page: `root` is the relative path back to the reference's root (`../../`).
  static func page(title: String, root: String, breadcrumbs: [(String, String?)], body: String) -> String {
    let trail = breadcrumbs.map { text, link in
      link.map { "<a href=\"\(escape($0))\">\(escape(text))</a>" } ?? "<span>\(escape(text))</span>"
    }.joined(separator: " › ")
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"/><title>\(escape(title))</title>\
      <link rel="stylesheet" href="\(root)style.css"/></head>
      <body><nav><a href="\(root)index.html">MxGPUKit reference</a>\(trail.isEmpty ? "" : " › " + trail)</nav>
      <main>
      \(body)</main></body></html>

      """
  }

  /// A table with a header row; cells are HTML already.
  static func table(_ header: [String], _ rows: [[String]], id: String? = nil) -> String {
    var out = "<table\(id.map { " id=\"\($0)\"" } ?? "")><thead><tr>"
    out += header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
    for row in rows { out += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>\n" }
    return out + "</tbody></table>\n"
  }

  /// A paragraph of documentation, if there is any.
  static func doc(_ text: String?) -> String {
    guard let text, !text.isEmpty else { return "" }
    return "<p class=\"doc\">\(escape(text))</p>\n"
  }
}
