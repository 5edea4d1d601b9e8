import MxSpecModel

extension ValidationContext {
  mutating func checkPacketSets() {
    checkNames(spec.packetSets, kind: "packet set", in: "the specs", name: \.name, location: \.location)
    for set in spec.packetSets {
      let scope = "packet set '\(set.name)'"
      let packetTypeNames = Dictionary(set.packets.map { ($0.name, $0.location) }, uniquingKeysWith: { a, _ in a })
      checkEnums(set.enums, in: scope, typeNamesInUse: packetTypeNames)
      let enums = Dictionary(set.enums.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
      checkNames(
        set.packets, kind: "packet", in: scope, reserved: SwiftNaming.runtimeTypes, name: \.name, location: \.location)
      var firstByOpcode: [UInt8: Packet] = [:]
      for packet in set.packets {
        switch (packet.type, packet.opcode) {
        case (3, nil):
          error("type-3 packet '\(packet.name)' needs an opcode", at: packet.location)
        case (3, let opcode?):
          if let first = firstByOpcode[opcode] {
            error(
              "packet '\(packet.name)' has the same opcode \(Hex.plain(opcode)) as packet '\(first.name)' (defined at \(first.location))",
              at: packet.location)
          } else {
            firstByOpcode[opcode] = packet
          }
        case (_, _?):
          error("type-\(packet.type) packet '\(packet.name)' cannot have an opcode", at: packet.location)
        default: break
        }
        checkPacketBody(packet, enums: enums)
      }
    }
  }

  private mutating func checkPacketBody(_ packet: Packet, enums: [String: EnumType]) {
    let owner = "packet '\(packet.name)'"
    for case .repeated(let group) in packet.body {
      if let maximum = group.maximum, maximum < group.minimum {
        error("repeat '\(group.name)' of \(owner) has max \(maximum) below min \(group.minimum)", at: group.location)
      }
    }
    let dwords = packet.dwords
    checkNames(dwords, kind: "dword", in: owner, name: \.name, location: \.location)

    // Field names are unique in the packet (builders and decoders address them by name),
    // except that alternative layouts of one dword may reuse a name.
    var seenFields: [String: SourceLocation] = [:]
    var earlierFields: [String: Field] = [:]
    for dword in dwords {
      let dwordOwner = "dword '\(dword.name)' of \(owner)"
      var namesInDword = Set<String>()
      let layoutFields = dword.layouts.flatMap(\.fields)
      for field in dword.fields + layoutFields {
        if let first = seenFields[field.name], !namesInDword.contains(field.name) {
          error("duplicate field '\(field.name)' in \(owner) (first defined at \(first))", at: field.location)
        }
        seenFields[field.name] = seenFields[field.name] ?? field.location
        namesInDword.insert(field.name)
      }
      checkFields(dword.fields, of: dwordOwner, enums: enums)
      checkLayouts(dword, of: dwordOwner, earlierFields: earlierFields, enums: enums)
      for field in dword.fields + layoutFields { earlierFields[field.name] = field }
    }
  }

  private mutating func checkLayouts(
    _ dword: PacketDword, of owner: String, earlierFields: [String: Field], enums: [String: EnumType]
  ) {
    guard !dword.layouts.isEmpty else { return }
    checkNames(dword.layouts, kind: "layout", in: owner, name: \.name, location: \.location)
    var defaults = 0
    var claimed: [UInt64: String] = [:]
    var selectorName: String?
    for layout in dword.layouts {
      checkFields(layout.fields, of: "layout '\(layout.name)' of \(owner)", enums: enums)
      guard let selector = layout.selector else {
        defaults += 1
        if defaults == 2 {
          error("\(owner) has more than one default layout (a layout without 'when')", at: layout.location)
        }
        continue
      }
      if let selectorName, selectorName != selector {
        error(
          "layouts of \(owner) are chosen by different fields ('\(selectorName)' and '\(selector)')",
          at: layout.location)
      }
      selectorName = selector
      guard let field = earlierFields[selector] else {
        error(
          "layout '\(layout.name)' is chosen by unknown field '\(selector)': it must be a field of an earlier dword",
          at: layout.location)
        continue
      }
      if layout.values.isEmpty {
        error("layout '\(layout.name)' of \(owner) lists no values in 'equals'", at: layout.location)
      }
      for value in layout.values {
        if value >> UInt64(field.bits.width) != 0 {
          error(
            "layout '\(layout.name)' selects value \(value), which does not fit the \(field.bits.width)-bit field '\(selector)'",
            at: layout.location)
        } else if let other = claimed[value] {
          error(
            "layout '\(layout.name)' and layout '\(other)' of \(owner) both claim value \(value) of '\(selector)'",
            at: layout.location)
        } else {
          claimed[value] = layout.name
        }
      }
    }
  }
}
