import MxSpecModel

extension ValidationContext {
  /// Opcode names: for a packet set the specs have, once per set; each name and value once; and a
  /// packet the set lays out under the name its opcode has (a layout called WRITE_DATA on
  /// COPY_DATA's opcode would decode one as the other).
  mutating func checkOpcodeNames() {
    var firstBySet: [String: SourceLocation] = [:]
    for names in spec.opcodeNames {
      guard let set = spec.packetSets.first(where: { $0.name == names.packetSet }) else {
        error("opcode names for packet set '\(names.packetSet)', which the specs do not have", at: names.location)
        continue
      }
      if let first = firstBySet[names.packetSet] {
        error("opcode names for packet set '\(names.packetSet)' given twice (first at \(first))", at: names.location)
        continue
      }
      firstBySet[names.packetSet] = names.location
      let scope = "the opcode names of '\(names.packetSet)'"
      checkNames(names.opcodes, kind: "opcode", in: scope, name: \.name, location: \.location)
      var byValue: [UInt8: OpcodeNames.Opcode] = [:]
      for opcode in names.opcodes {
        if let first = byValue[opcode.value] {
          error(
            "opcode \(Hex.plain(opcode.value)) is named '\(opcode.name)' and '\(first.name)' (at \(first.location))",
            at: opcode.location)
        } else {
          byValue[opcode.value] = opcode
        }
      }
      for packet in set.packets {
        guard let value = packet.opcode, let named = byValue[value], named.name != packet.name else { continue }
        error(
          "packet '\(packet.name)' has opcode \(Hex.plain(value)), which \(scope) call '\(named.name)' (at \(named.location))",
          at: packet.location)
      }
    }
  }
}
