import MxSpecModel

/// A memory structure read from a dump — an MQD — member by member as the structure spec lays it
/// out (the data the generated view, `vi_mqd`, is made from): a member that mirrors a register
/// with its fields and their enum values, an array by the dwords of it that are not 0, a nested
/// structure's members under its name.
public enum StructureListing {
  /// One line per member of `structure` over `dwords` (its first dword first), indented by
  /// nesting; a member whose value is 0 without its fields.
  public static func lines(of structure: Structure, dwords: [UInt32], in spec: Spec, indent: String = "") -> [String] {
    let block = structure.registerBlock.flatMap { id in spec.blocks.first { $0.id == id } }
    var lines: [String] = []
    for member in structure.members.sorted(by: { $0.dword < $1.dword }) where member.dwords.upperBound < dwords.count {
      let place = indent + PacketDisassembler.Item.position(member.dword) + " "
      if let type = member.type, let nested = spec.structures.first(where: { $0.name == type }) {
        lines.append(place + "\(member.name): \(type)")
        let inner = Array(dwords[member.dword...].prefix(nested.sizeInDwords))
        lines += Self.lines(of: nested, dwords: inner, in: spec, indent: indent + "  ")
      } else if member.count > 1 {
        let values = dwords[member.dwords]
        let set = values.indices.filter { values[$0] != 0 }
        let shown = set.prefix(8).map { "[\($0 - member.dword)]=\(Hex.plain(values[$0]))" }.joined(separator: " ")
        lines.append(
          place + "\(member.name)[\(member.count)]: "
            + (set.isEmpty ? "all 0" : "\(set.count) not 0: \(shown)\(set.count > 8 ? " …" : "")"))
      } else {
        let value = dwords[member.dword]
        var line = place + "\(member.name) = \(Hex.plain(value))"
        if value != 0, let name = member.register, let block,
          let register = block.registers.first(where: { $0.name == name })
        {
          line +=
            ": " + PacketRegisters.fields(of: register, in: block, value: value).map(\.text).joined(separator: " ")
        }
        lines.append(line)
      }
    }
    return lines
  }
}
