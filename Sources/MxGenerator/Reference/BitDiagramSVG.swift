import MxSpecModel

/// A 32-bit layout drawn as SVG: bit numbers at field edges along the top, a box per field (its name, or its
/// key letter when the name does not fit; the name, bits and access as a tooltip), grey boxes
/// where no field is. Colours and fonts come from the reference's style sheet, so each diagram is small.
enum BitDiagramSVG {
  static let cellWidth = 26
  static let keys = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

  /// The key letter of each field, in the order `fields` gives (the table uses the same).
  static func key(_ index: Int) -> String { String(keys[index % keys.count]) }

  /// `fields` with the access each has; they are drawn in the order given, keyed A, B, …
  static func render(_ fields: [(field: Field, access: Access?)]) -> String {
    let width = 32 * cellWidth
    var out = "<svg class=\"bits\" viewBox=\"0 0 \(width + 2) 56\" width=\"\(width + 2)\" height=\"56\""
    out += " role=\"img\" aria-label=\"bit layout\" xmlns=\"http://www.w3.org/2000/svg\">"
    // Bit numbers where fields begin and end, as datasheets draw them, and at both ends.
    var numbered: Set<Int> = [0, 31]
    for entry in fields where entry.field.bits.msb < 32 {
      numbered.formUnion([entry.field.bits.lsb, entry.field.bits.msb])
    }
    for bit in numbered.sorted() {
      out += "<text class=\"n\" x=\"\(x(of: bit) + cellWidth / 2)\" y=\"12\">\(bit)</text>"
    }
    var covered = [Bool](repeating: false, count: 32)
    for (index, entry) in fields.enumerated() where entry.field.bits.msb < 32 {
      let bits = entry.field.bits
      for bit in bits.lsb...bits.msb { covered[bit] = true }
      let left = x(of: bits.msb)
      let boxWidth = bits.width * cellWidth
      let name = entry.field.name
      let label = Double(name.count) * 6.6 < Double(boxWidth - 4) ? name : key(index)
      let access = entry.access?.rawValue ?? "field"
      out += "<g class=\"\(access == "unknown" ? "unknown" : access)\"><title>\(HTML.escape(name)) "
      out += "\(bits.width == 1 ? "bit" : "bits") \(bits), \(entry.access?.summary ?? "")</title>"
      out += "<rect x=\"\(left + 1)\" y=\"18\" width=\"\(boxWidth - 2)\" height=\"32\"/>"
      out += "<text x=\"\(left + boxWidth / 2)\" y=\"38\">\(HTML.escape(label))</text></g>"
    }
    // Each run of bits no field covers is one box.
    var bit = 31
    while bit >= 0 {
      guard !covered[bit] else {
        bit -= 1
        continue
      }
      var low = bit
      while low > 0 && !covered[low - 1] { low -= 1 }
      out +=
        "<rect class=\"reserved\" x=\"\(x(of: bit) + 1)\" y=\"18\" width=\"\((bit - low + 1) * cellWidth - 2)\" height=\"32\"/>"
      bit = low - 1
    }
    return out + "</svg>\n"
  }

  /// Bit 31 is on the left.
  private static func x(of bit: Int) -> Int { (31 - bit) * cellWidth + 1 }
}
