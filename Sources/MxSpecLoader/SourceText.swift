/// The lines of a spec file, used to turn libxml2's line numbers into precise columns.
///
/// Every register and field of a block records where it is written, so this is on the loading
/// path of every element: one byte buffer with line starts, no per-line arrays.
struct SourceText {
  private let bytes: [UInt8]
  /// Offset of each line's first byte; lines are numbered from 1.
  private let lineStarts: [Int]

  init(bytes: [UInt8]) {
    self.bytes = bytes
    var starts = [0]
    for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
    lineStarts = starts
  }

  private var lineCount: Int { lineStarts.count }

  /// The bytes of line `line` (from 1), without its line break.
  private func range(ofLine line: Int) -> Range<Int> {
    let start = lineStarts[line - 1]
    let end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
    return start..<max(start, end)
  }

  /// libxml2 records an element's line where its start tag ends; find where `<name` begins
  /// on that line or the lines before it.
  func locateElement(_ name: String, endingOnLine line: Int) -> (line: Int, column: Int) {
    var needle: [UInt8] = [UInt8(ascii: "<")]
    needle.append(contentsOf: name.utf8)
    return locate(needle, endingOnLine: line)
  }

  /// `locateElement` for a name as libxml2 holds it (NUL-terminated), without a `String`: every
  /// register and field is located this way while a spec loads.
  func locateElement(_ name: UnsafePointer<UInt8>, endingOnLine line: Int) -> (line: Int, column: Int) {
    var length = 0
    while name[length] != 0 { length += 1 }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length + 1) { needle in
      needle[0] = UInt8(ascii: "<")
      for index in 0..<length { needle[index + 1] = name[index] }
      return locate(UnsafeBufferPointer(needle), endingOnLine: line)
    }
  }

  private func locate<Needle: RandomAccessCollection<UInt8>>(_ needle: Needle, endingOnLine line: Int)
    -> (line: Int, column: Int) where Needle.Index == Int
  {
    var current = min(max(line, 1), lineCount)
    while current >= 1 && current > line - 64 {
      let text = range(ofLine: current)
      if let found = find(needle, in: text, followedByNameEnd: true) {
        return (current, found - text.lowerBound + 1)
      }
      current -= 1
    }
    return (max(line, 1), 1)
  }

  /// Where attribute `name` of the element that starts at `element` is written.
  func locateAttribute(_ name: String, of element: (line: Int, column: Int)) -> (line: Int, column: Int) {
    let needle = Array(name.utf8)
    var current = element.line
    var skip = element.column - 1
    while current <= lineCount && current < element.line + 64 {
      let text = range(ofLine: current)
      if skip < text.count,
        let found = find(
          needle, in: (text.lowerBound + skip)..<text.upperBound, followedByNameEnd: false, attribute: true)
      {
        return (current, found - text.lowerBound + 1)
      }
      current += 1
      skip = 0
    }
    return element
  }

  /// The offset in `bytes` where `needle` starts within `range`, as a whole name.
  private func find<Needle: RandomAccessCollection<UInt8>>(
    _ needle: Needle, in range: Range<Int>, followedByNameEnd: Bool, attribute: Bool = false
  ) -> Int? where Needle.Index == Int {
    guard let first = needle.first, range.count >= needle.count else { return nil }
    var i = range.lowerBound
    while i + needle.count <= range.upperBound {
      if bytes[i] == first && matches(needle, at: i) {
        let after = i + needle.count < range.upperBound ? bytes[i + needle.count] : UInt8(ascii: " ")
        let before = i > range.lowerBound ? bytes[i - 1] : UInt8(ascii: " ")
        if !Self.isNameByte(after) && (!attribute || !Self.isNameByte(before)) { return i }
      }
      i += 1
    }
    return nil
  }

  private func matches<Needle: RandomAccessCollection<UInt8>>(_ needle: Needle, at offset: Int) -> Bool
  where Needle.Index == Int {
    for (index, byte) in needle.enumerated() where bytes[offset + index] != byte { return false }
    return true
  }

  private static func isNameByte(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
      || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ":")
      || b == UInt8(ascii: ".")
  }
}
