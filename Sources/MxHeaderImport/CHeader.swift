/// The parts of an AMD register header the importer reads: `#define NAME VALUE` lines and
/// `typedef enum Name { A = V, ... } Name;` blocks, each with its line number.
struct CHeader {
  struct Define {
    var name: String
    var value: UInt64
    var line: Int
  }

  struct Enumerator {
    var name: String
    var value: UInt64
  }

  struct Enum {
    var name: String
    var enumerators: [Enumerator]
    var line: Int
  }

  var defines: [Define] = []
  var enums: [Enum] = []
  /// `#define` lines whose value is not a plain number (include guards have none).
  var otherDefines: [String] = []

  init(text: String) {
    var currentEnum: Enum?
    var nextValue: UInt64 = 0
    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = rawLine.trimmingCharacters(in: " \t\r")
      if var open = currentEnum {
        if line.hasPrefix("}") {
          enums.append(open)
          currentEnum = nil
          continue
        }
        let item = line.split(separator: ",")[0...].first.map(String.init)?.trimmingCharacters(in: " \t") ?? ""
        guard !item.isEmpty, !item.hasPrefix("/") else { continue }
        let parts = item.split(separator: "=").map { String($0).trimmingCharacters(in: " \t") }
        if parts.count == 2, let value = Self.number(parts[1]) { nextValue = value }
        open.enumerators.append(Enumerator(name: parts[0], value: nextValue))
        nextValue &+= 1
        currentEnum = open
        continue
      }
      if line.hasPrefix("typedef enum") {
        let name = line.dropFirst("typedef enum".count).split(separator: " ").first.map(String.init) ?? ""
        currentEnum = Enum(name: name.trimmingCharacters(in: "{ "), enumerators: [], line: index + 1)
        nextValue = 0
        continue
      }
      guard line.hasPrefix("#define") else { continue }
      let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard parts.count >= 2 else { continue }
      if parts.count >= 3, let value = Self.number(String(parts[2])) {
        defines.append(Define(name: String(parts[1]), value: value, line: index + 1))
      } else if parts.count >= 3 {
        otherDefines.append(String(parts[1]))
      }
    }
  }

  static func number(_ text: String) -> UInt64? {
    var digits = text
    while let last = digits.last, "uUlL".contains(last) { digits.removeLast() }
    if digits.hasPrefix("0x") || digits.hasPrefix("0X") { return UInt64(digits.dropFirst(2), radix: 16) }
    return UInt64(digits, radix: 10)
  }
}

extension StringProtocol {
  func trimmingCharacters(in set: String) -> String {
    var s = Substring(self)
    while let first = s.first, set.contains(first) { s.removeFirst() }
    while let last = s.last, set.contains(last) { s.removeLast() }
    return String(s)
  }
}
