/// Writes the tokens of a `SpecArchive`.
struct ArchiveWriter {
  private var bytes: [UInt8] = []
  private var separator: UInt8?
  private var fileNumbers: [String: Int] = [:]
  private var renamedFolder: (from: String, to: String)?

  var text: String { String(decoding: bytes + [UInt8(ascii: "\n")], as: UTF8.self) }

  /// Source paths in `folder` (`.`: relative paths) are written as in `newFolder`.
  mutating func renameFolder(from folder: String, to newFolder: String) {
    renamedFolder = (folder == "." ? "" : folder + "/", newFolder + "/")
  }

  /// The next token starts a line.
  mutating func startItem() {
    if separator != nil { separator = UInt8(ascii: "\n") }
  }

  mutating func int(_ value: some BinaryInteger) {
    precondition(value >= 0, "a spec archive holds no negative numbers")
    startToken()
    bytes += String(value).utf8
  }

  mutating func bool(_ value: Bool) { int(value ? 1 : 0) }

  mutating func string(_ value: String) {
    startToken()
    for byte in value.utf8 {
      switch byte {
      case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
      case UInt8(ascii: "\t"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
      case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
      case UInt8(ascii: "\r"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
      case UInt8(ascii: "~"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "~")]
      default: bytes.append(byte)
      }
    }
  }

  mutating func optional<T>(_ value: T?, _ write: (inout Self, T) -> Void) {
    if let value {
      write(&self, value)
    } else {
      startToken()
      bytes.append(UInt8(ascii: "~"))
    }
  }

  mutating func optional(_ value: String?) { optional(value) { $0.string($1) } }
  mutating func optional(_ value: (some BinaryInteger)?) { optional(value) { $0.int($1) } }

  /// The count, then each item, each on its own line when `linePerItem`.
  mutating func array<T: Archivable>(_ items: [T], linePerItem: Bool = false) {
    int(items.count)
    for item in items {
      if linePerItem { startItem() }
      item.write(to: &self)
    }
  }

  mutating func location(_ location: SourceLocation) {
    if let number = fileNumbers[location.file] {
      int(number)
    } else {
      int(fileNumbers.count)
      if let renamedFolder, location.file.hasPrefix(renamedFolder.from) {
        string(renamedFolder.to + location.file.dropFirst(renamedFolder.from.count))
      } else {
        string(location.file)
      }
      fileNumbers[location.file] = fileNumbers.count
    }
    int(location.line)
    int(location.column)
  }

  private mutating func startToken() {
    if let separator { bytes.append(separator) }
    separator = UInt8(ascii: "\t")
  }
}
