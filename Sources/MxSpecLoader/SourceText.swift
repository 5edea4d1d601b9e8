/// The lines of a spec file, used to turn libxml2's line numbers into precise columns.
struct SourceText {
  private let lines: [[UInt8]]

  init(bytes: [UInt8]) {
    lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
  }

  /// libxml2 records an element's line where its start tag ends; find where `<name` begins
  /// on that line or the lines before it.
  func locateElement(_ name: String, endingOnLine line: Int) -> (line: Int, column: Int) {
    let needle = Array(("<" + name).utf8)
    var current = min(max(line, 1), lines.count)
    while current >= 1 && current > line - 64 {
      if let column = Self.find(needle, in: lines[current - 1], followedByNameEnd: true) {
        return (current, column + 1)
      }
      current -= 1
    }
    return (max(line, 1), 1)
  }

  /// Where attribute `name` of the element that starts at `element` is written.
  func locateAttribute(_ name: String, of element: (line: Int, column: Int)) -> (line: Int, column: Int) {
    let needle = Array(name.utf8)
    var current = element.line
    var start = element.column - 1
    while current <= lines.count && current < element.line + 64 {
      let text = lines[current - 1]
      if start < text.count,
        let found = Self.find(needle, in: Array(text[start...]), followedByNameEnd: false, attribute: true)
      {
        return (current, start + found + 1)
      }
      current += 1
      start = 0
    }
    return element
  }

  private static func find(
    _ needle: [UInt8], in haystack: [UInt8], followedByNameEnd: Bool, attribute: Bool = false
  ) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    var i = 0
    while i + needle.count <= haystack.count {
      if haystack[i..<(i + needle.count)].elementsEqual(needle) {
        let after = i + needle.count < haystack.count ? haystack[i + needle.count] : UInt8(ascii: " ")
        let before = i > 0 ? haystack[i - 1] : UInt8(ascii: " ")
        let endsName = !isNameByte(after)
        let startsName = !attribute || !isNameByte(before)
        if endsName && startsName { return i }
      }
      i += 1
    }
    return nil
  }

  private static func isNameByte(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
      || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ":")
      || b == UInt8(ascii: ".")
  }
}
