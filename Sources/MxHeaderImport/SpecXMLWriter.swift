import MxSpecModel

/// Writes a block as a spec file in the project's XML format, deterministically: the same block
/// always gives the same bytes.
public enum SpecXMLWriter {
  public static func document(for block: Block, source: String) -> String {
    var out = prologue(source: source)
    out += "  <block name=\"\(escape(block.name))\" version=\"\(escape(block.version))\">\n"
    if let doc = block.doc { out += "    <doc>\(escape(doc))</doc>\n" }
    for space in block.spaces {
      out += "    <space name=\"\(escape(space.name))\""
      if let index = space.indexRegister, let data = space.dataRegister {
        out += " index=\"\(escape(index))\" data=\"\(escape(data))\""
      }
      if let doc = space.doc {
        out += "><doc>\(escape(doc))</doc></space>\n"
      } else {
        out += "/>\n"
      }
    }
    for enumType in block.enums {
      out += "    <enum name=\"\(escape(enumType.name))\">\n"
      for value in enumType.values {
        out += "      <value name=\"\(escape(value.name))\" value=\"\(Hex.plain(value.value))\"/>\n"
      }
      out += "    </enum>\n"
    }
    for register in block.registers {
      out += "    <register name=\"\(escape(register.name))\" offset=\"\(Hex.plain(UInt64(register.offset)))\""
      if register.space != AddressSpace.mmioName { out += " space=\"\(escape(register.space))\"" }
      if register.access != .unknown { out += " access=\"\(register.access.rawValue)\"" }
      if let reset = register.resetValue { out += " reset=\"\(Hex.plain(UInt64(reset)))\"" }
      if let alias = register.aliasOf { out += " alias-of=\"\(escape(alias))\"" }
      if register.fields.isEmpty && register.doc == nil {
        out += "/>\n"
        continue
      }
      out += ">\n"
      if let doc = register.doc { out += "      <doc>\(escape(doc))</doc>\n" }
      for field in register.fields {
        out += "      <field name=\"\(escape(field.name))\" bits=\"\(field.bits)\""
        if let access = field.access { out += " access=\"\(access.rawValue)\"" }
        if let enumName = field.enumName { out += " enum=\"\(escape(enumName))\"" }
        out += "/>\n"
      }
      out += "    </register>\n"
    }
    out += "  </block>\n</spec>\n"
    return out
  }

  /// Structures as a spec file, in the order given.
  public static func document(for structures: [Structure], source: String) -> String {
    var out = prologue(source: source)
    for structure in structures {
      out += "  <structure name=\"\(escape(structure.name))\" dwords=\"\(structure.sizeInDwords)\""
      if let block = structure.registerBlock { out += " registers=\"\(escape(block))\"" }
      out += ">\n"
      if let doc = structure.doc { out += "    <doc>\(escape(doc))</doc>\n" }
      for member in structure.members {
        out += "    <member name=\"\(escape(member.name))\" dword=\"\(member.dword)\""
        if member.count != 1 { out += " count=\"\(member.count)\"" }
        if let register = member.register { out += " register=\"\(escape(register))\"" }
        if let type = member.type { out += " type=\"\(escape(type))\"" }
        out += member.doc.map { "><doc>\(escape($0))</doc></member>\n" } ?? "/>\n"
      }
      out += "  </structure>\n"
    }
    out += "</spec>\n"
    return out
  }

  /// An interrupt source set as a spec file, its sources in the order given.
  public static func document(for set: InterruptSourceSet, source: String, doc: String) -> String {
    var out = prologue(source: source)
    out += "  <interrupts name=\"\(escape(set.name))\">\n"
    out += "    <doc>\(escape(doc))</doc>\n"
    for interrupt in set.sources {
      out += "    <source name=\"\(escape(interrupt.name))\" header=\"\(escape(interrupt.header))\""
      out += " id=\"\(Hex.literal(UInt64(interrupt.id), minimumDigits: 2))\""
      if let extended = interrupt.extendedID { out += " extended-id=\"\(extended)\"" }
      out += interrupt.doc.map { "><doc>\(escape($0))</doc></source>\n" } ?? "/>\n"
    }
    out += "  </interrupts>\n</spec>\n"
    return out
  }

  /// The lines every imported spec file opens with: what it came from, and `<spec>`.
  private static func prologue(source: String) -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      + "<!-- Imported by `swift run gen import` from \(escape(source)). Do not edit: re-import. -->\n"
      + "<spec format=\"1\">\n"
  }

  /// Opcode names as a spec file, in the header's order.
  public static func document(for names: OpcodeNames, source: String, doc: String) -> String {
    var out = prologue(source: source)
    out += "  <opcodes packets=\"\(escape(names.packetSet))\">\n"
    out += "    <doc>\(escape(doc))</doc>\n"
    for opcode in names.opcodes {
      out +=
        "    <opcode name=\"\(escape(opcode.name))\" value=\"\(Hex.literal(UInt64(opcode.value), minimumDigits: 2))\"/>\n"
    }
    out += "  </opcodes>\n</spec>\n"
    return out
  }

  /// A clear state as a spec file: each extent with its values, one a line, named by register.
  public static func document(for clearState: ClearState, source: String, doc: String) -> String {
    var out = prologue(source: source)
    out += "  <clear-state name=\"\(escape(clearState.name))\" registers=\"\(escape(clearState.registerBlock))\">\n"
    out += "    <doc>\(escape(doc))</doc>\n"
    for extent in clearState.extents {
      out += "    <extent header=\"\(escape(extent.header))\" start=\"\(Hex.plain(extent.start))\">\n"
      for value in extent.values {
        if let register = value.register {
          out += "      <value register=\"\(escape(register))\" value=\"\(Hex.plain(value.value))\"/>\n"
        } else {
          out += "      <hole/>\n"
        }
      }
      out += "    </extent>\n"
    }
    out += "  </clear-state>\n</spec>\n"
    return out
  }

  static func escape(_ text: String) -> String {
    var out = ""
    for c in text {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "-" where out.hasSuffix("-"): out += "&#45;"
      default: out.append(c)
      }
    }
    return out
  }
}
