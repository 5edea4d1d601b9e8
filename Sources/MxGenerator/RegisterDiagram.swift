import MxSpecModel

/// A register's layout as text: a 32-bit ruler with a key letter per field, and a table of the
/// fields; given a value, each field decoded (enum values by name).
public enum RegisterDiagram {
  public static func render(_ register: Register, of block: Block, value: UInt32? = nil) -> String {
    let fields = register.fields.sorted { ($0.bits.lsb, $0.name) > ($1.bits.lsb, $1.name) }
    let keys = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    var keyOfBit = [Character](repeating: ".", count: 32)
    for (index, field) in fields.reversed().enumerated() where field.bits.msb < 32 {
      for bit in field.bits.lsb...field.bits.msb { keyOfBit[bit] = keys[index % keys.count] }
    }
    func grouped(_ characters: [Character]) -> String {
      var text = ""
      for bit in stride(from: 31, through: 0, by: -1) {
        text.append(characters[bit])
        if bit % 8 == 0 && bit > 0 { text.append(" ") }
      }
      return text
    }
    let placement =
      register.space == AddressSpace.mmioName
      ? "mmio dword \(Hex.plain(register.offset)) (byte \(Hex.plain(register.offset &* 4)))"
      : "space \(register.space) index \(Hex.plain(register.offset))"
    var lines = [
      "\(register.name) - \(block.id), \(placement), \(register.accessSummary), reset \(register.resetValue.map { Hex.word($0) } ?? "unknown")"
        + (register.aliasOf.map { ", alias of \($0)" } ?? ""),
      "",
      "  31      24 23      16 15       8 7       0",
      "  " + grouped(keyOfBit),
    ]
    if let value {
      lines.append("  " + grouped((0..<32).map { value >> UInt32($0) & 1 == 1 ? "1" : "0" }) + "  = \(Hex.word(value))")
    }
    lines.append("")
    let enums = Dictionary(block.enums.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    let nameWidth = max(5, fields.map(\.name.count).max() ?? 0)
    var header = "  key  bits   \("field".padding(nameWidth))  \("access".padding(7))"
    if value != nil { header += "  value" }
    lines.append(header)
    for (index, field) in fields.reversed().enumerated().reversed() {
      var line =
        "  \(keys[index % keys.count])    \(field.bits.description.padding(5))  \(field.name.padding(nameWidth))  \(register.access(of: field).rawValue.padding(7))"
      if let value {
        let bits = UInt32(truncatingIfNeeded: (UInt64(value) & field.bits.mask) >> UInt64(field.bits.lsb))
        var shown = field.bits.width == 1 ? String(bits) : Hex.plain(bits)
        if let name = field.enumName.flatMap({ enums[$0] })?.values.first(where: { $0.value == UInt64(bits) })?.name {
          shown += " \(name)"
        }
        line += "  " + shown
      }
      lines.append(line)
    }
    if fields.isEmpty { lines.append("  (no fields)") }
    return lines.map { $0.trailingSpacesTrimmed }.joined(separator: "\n") + "\n"
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }

  fileprivate var trailingSpacesTrimmed: String {
    var s = self
    while s.last == " " { s.removeLast() }
    return s
  }
}
