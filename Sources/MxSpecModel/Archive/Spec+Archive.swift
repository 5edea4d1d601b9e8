// How each model type is archived: `write(to:)` and `init(from:)` side by side, the stored
// properties in the same order in both (Swift evaluates arguments left to right). A property
// added to a model type and left out here fails the round-trip test on Specs/.

extension Spec: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.array(blocks)
    writer.array(chips)
    writer.array(packetSets)
    writer.array(mailboxes)
    writer.array(interruptSources)
    writer.array(opcodeNames)
    writer.array(clearStates)
    writer.array(structures)
    writer.array(addressPairs, linePerItem: true)
    writer.array(overlays)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      blocks: try reader.array(), chips: try reader.array(), packetSets: try reader.array(),
      mailboxes: try reader.array(), interruptSources: try reader.array(), opcodeNames: try reader.array(),
      clearStates: try reader.array(), structures: try reader.array(), addressPairs: try reader.array(),
      overlays: try reader.array())
  }

  // `Spec.init`'s parameters come in another order than its properties; the archive keeps the
  // properties' order.
  private init(
    blocks: [Block], chips: [Chip], packetSets: [PacketSet], mailboxes: [Mailbox],
    interruptSources: [InterruptSourceSet], opcodeNames: [OpcodeNames], clearStates: [ClearState],
    structures: [Structure], addressPairs: [AddressPair], overlays: [Overlay]
  ) {
    self.init(
      blocks: blocks, chips: chips, packetSets: packetSets, mailboxes: mailboxes,
      interruptSources: interruptSources, clearStates: clearStates, structures: structures,
      addressPairs: addressPairs, overlays: overlays, opcodeNames: opcodeNames)
  }
}

// MARK: Blocks

extension Block: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(name)
    writer.string(version)
    writer.optional(doc)
    writer.array(spaces, linePerItem: true)
    writer.array(enums)
    writer.array(registers)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), version: try reader.string(), doc: try reader.optionalString(),
      spaces: try reader.array(), enums: try reader.array(), registers: try reader.array(),
      location: try reader.location())
  }
}

extension AddressSpace: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(name)
    writer.optional(indexRegister)
    writer.optional(dataRegister)
    writer.optional(doc)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), indexRegister: try reader.optionalString(),
      dataRegister: try reader.optionalString(), doc: try reader.optionalString(), location: try reader.location())
  }
}

extension EnumType: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(name)
    writer.array(values, linePerItem: true)
    writer.optional(doc)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), values: try reader.array(), doc: try reader.optionalString(),
      location: try reader.location())
  }
}

extension EnumType.Value: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(name)
    writer.int(value)
    writer.optional(doc)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), value: try reader.int(), doc: try reader.optionalString(),
      location: try reader.location())
  }
}

extension Register: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(name)
    writer.int(offset)
    writer.string(space)
    writer.string(access.rawValue)
    writer.optional(resetValue)
    writer.optional(accessSource)
    writer.optional(resetSource)
    writer.optional(aliasOf)
    writer.optional(doc)
    writer.array(fields, linePerItem: true)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), offset: try reader.int(), space: try reader.string(), access: try reader.raw(),
      resetValue: try reader.optionalInt(), location: SourceLocation(file: "", line: 0, column: 0))
    accessSource = try reader.optionalString()
    resetSource = try reader.optionalString()
    aliasOf = try reader.optionalString()
    doc = try reader.optionalString()
    fields = try reader.array()
    location = try reader.location()
  }
}

extension Field: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(name)
    writer.int(bits.lsb)
    writer.int(bits.msb)
    writer.optional(access?.rawValue)
    writer.optional(accessSource)
    writer.optional(enumName)
    writer.optional(doc)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), bits: BitRange(lsb: try reader.int(), msb: try reader.int()),
      access: try reader.optional { reader in try reader.raw() }, location: SourceLocation(file: "", line: 0, column: 0)
    )
    accessSource = try reader.optionalString()
    enumName = try reader.optionalString()
    doc = try reader.optionalString()
    location = try reader.location()
  }
}

// MARK: Chips

extension Chip: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(name)
    writer.optional(family)
    writer.optional(doc)
    writer.array(uses, linePerItem: true)
    writer.array(pciIDs, linePerItem: true)
    writer.array(goldenSequences)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), family: try reader.optionalString(), doc: try reader.optionalString(),
      uses: try reader.array(), pciIDs: try reader.array(), goldenSequences: try reader.array(),
      location: try reader.location())
  }
}

extension Chip.BlockUse: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(block)
    writer.string(version)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(block: try reader.string(), version: try reader.string(), location: try reader.location())
  }
}

extension Chip.PCIID: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.int(vendor)
    writer.int(device)
    writer.string(function.rawValue)
    writer.optional(doc)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      vendor: try reader.int(), device: try reader.int(), function: try reader.raw(),
      doc: try reader.optionalString(), location: try reader.location())
  }
}

extension Chip.GoldenSequence: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(name)
    writer.optional(doc)
    writer.array(writes, linePerItem: true)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), doc: try reader.optionalString(), writes: try reader.array(),
      location: try reader.location())
  }
}

extension Chip.GoldenWrite: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(register)
    writer.int(andMask)
    writer.int(orMask)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      register: try reader.string(), andMask: try reader.int(), orMask: try reader.int(),
      location: try reader.location())
  }
}

// MARK: Packets

extension PacketSet: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(name)
    writer.optional(doc)
    writer.array(enums)
    writer.array(packets)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), doc: try reader.optionalString(), enums: try reader.array(),
      packets: try reader.array(), location: try reader.location())
  }
}

extension Packet: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(name)
    writer.int(type)
    writer.optional(opcode)
    writer.optional(doc)
    writer.array(body)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), type: try reader.int(), opcode: try reader.optionalInt(),
      doc: try reader.optionalString(), body: try reader.array(), location: try reader.location())
  }
}

extension PacketItem: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    switch self {
    case .dword(let dword):
      writer.string("dword")
      dword.write(to: &writer)
    case .repeated(let group):
      writer.string("repeat")
      group.write(to: &writer)
    case .tail(let tail):
      writer.string("tail")
      tail.write(to: &writer)
    }
  }

  init(from reader: inout ArchiveReader) throws {
    let start = reader.position
    switch try reader.string() {
    case "dword": self = .dword(try PacketDword(from: &reader))
    case "repeat": self = .repeated(try PacketRepeat(from: &reader))
    case "tail": self = .tail(try PacketTail(from: &reader))
    case let other: throw reader.error(at: start, "unknown packet item '\(other)'")
    }
  }
}

extension PacketDword: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(name)
    writer.optional(doc)
    writer.array(fields, linePerItem: true)
    writer.array(layouts, linePerItem: true)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), doc: try reader.optionalString(), fields: try reader.array(),
      layouts: try reader.array(), location: try reader.location())
  }
}

extension PacketLayout: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(name)
    writer.optional(selector)
    writer.array(values.map(ArchivedInteger.init))
    writer.array(fields, linePerItem: true)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), selector: try reader.optionalString(),
      values: try reader.array(ArchivedInteger.self).map(\.value), fields: try reader.array(),
      location: try reader.location())
  }
}

extension PacketRepeat: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(name)
    writer.int(minimum)
    writer.optional(maximum)
    writer.array(dwords, linePerItem: true)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), minimum: try reader.int(), maximum: try reader.optionalInt(),
      dwords: try reader.array(), location: try reader.location())
  }
}

extension PacketTail: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(name)
    writer.optional(doc)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(name: try reader.string(), doc: try reader.optionalString(), location: try reader.location())
  }
}

extension OpcodeNames: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(packetSet)
    writer.optional(doc)
    writer.array(opcodes, linePerItem: true)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      packetSet: try reader.string(), doc: try reader.optionalString(), opcodes: try reader.array(),
      location: try reader.location())
  }
}

extension OpcodeNames.Opcode: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(name)
    writer.int(value)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(name: try reader.string(), value: try reader.int(), location: try reader.location())
  }
}

// MARK: Mailboxes and interrupts

extension Mailbox: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(name)
    writer.optional(doc)
    writer.array(messages)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), doc: try reader.optionalString(), messages: try reader.array(),
      location: try reader.location())
  }
}

extension Message: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(name)
    writer.int(id)
    writer.string(direction.rawValue)
    writer.optional(reply)
    writer.optional(timeoutMilliseconds)
    writer.optional(pollMilliseconds)
    writer.bool(hostSetsValid)
    writer.array(payload, linePerItem: true)
    writer.optional(doc)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), id: try reader.int(), direction: try reader.raw(), reply: try reader.optionalString(),
      timeoutMilliseconds: try reader.optionalInt(), pollMilliseconds: try reader.optionalInt(),
      hostSetsValid: try reader.bool(), payload: try reader.array(), doc: try reader.optionalString(),
      location: try reader.location())
  }
}

extension Message.PayloadDword: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(name)
    writer.int(index)
    writer.optional(doc)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), index: try reader.int(), doc: try reader.optionalString(),
      location: try reader.location())
  }
}

extension InterruptSourceSet: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(name)
    writer.optional(doc)
    writer.array(sources, linePerItem: true)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), doc: try reader.optionalString(), sources: try reader.array(),
      location: try reader.location())
  }
}

extension InterruptSource: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(name)
    writer.string(header)
    writer.int(id)
    writer.optional(extendedID)
    writer.optional(doc)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), header: try reader.string(), id: try reader.int(),
      extendedID: try reader.optionalInt(), doc: try reader.optionalString(), location: try reader.location())
  }
}

// MARK: Clear state, structures and overlays

extension ClearState: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(name)
    writer.string(registerBlock)
    writer.optional(doc)
    writer.array(extents)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), registerBlock: try reader.string(), doc: try reader.optionalString(),
      extents: try reader.array(), location: try reader.location())
  }
}

extension ClearStateExtent: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(header)
    writer.int(start)
    writer.array(values, linePerItem: true)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      header: try reader.string(), start: try reader.int(), values: try reader.array(),
      location: try reader.location())
  }
}

extension ClearStateValue: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.optional(register)
    writer.int(value)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(register: try reader.optionalString(), value: try reader.int(), location: try reader.location())
  }
}

extension Structure: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(name)
    writer.int(sizeInDwords)
    writer.optional(registerBlock)
    writer.optional(doc)
    writer.array(members, linePerItem: true)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), sizeInDwords: try reader.int(), registerBlock: try reader.optionalString(),
      doc: try reader.optionalString(), members: try reader.array(), location: try reader.location())
  }
}

extension Structure.Member: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(name)
    writer.int(dword)
    writer.int(count)
    writer.optional(register)
    writer.optional(type)
    writer.optional(doc)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), dword: try reader.int(), count: try reader.int(),
      register: try reader.optionalString(), type: try reader.optionalString(), doc: try reader.optionalString(),
      location: try reader.location())
  }
}

extension AddressPair: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(structure)
    writer.string(name)
    writer.string(lo)
    writer.string(hi)
    writer.int(shift)
    writer.int(alignment)
    writer.int(bits)
    writer.optional(doc)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      structure: try reader.string(), name: try reader.string(), lo: try reader.string(), hi: try reader.string(),
      shift: try reader.int(), alignment: try reader.int(), bits: try reader.int(), doc: try reader.optionalString(),
      location: try reader.location())
  }
}

extension Overlay: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(block)
    writer.optional(doc)
    writer.array(registers)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      block: try reader.string(), doc: try reader.optionalString(), registers: try reader.array(),
      location: try reader.location())
  }
}

extension Overlay.RegisterChange: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.startItem()
    writer.string(name)
    writer.optional(access?.rawValue)
    writer.optional(resetValue)
    writer.string(source)
    writer.array(fields, linePerItem: true)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), access: try reader.optional { reader in try reader.raw() },
      resetValue: try reader.optionalInt(), source: try reader.string(), fields: try reader.array(),
      location: try reader.location())
  }
}

extension Overlay.FieldChange: Archivable {
  func write(to writer: inout ArchiveWriter) {
    writer.string(name)
    writer.string(access.rawValue)
    writer.optional(source)
    writer.location(location)
  }

  init(from reader: inout ArchiveReader) throws {
    self.init(
      name: try reader.string(), access: try reader.raw(), source: try reader.optionalString(),
      location: try reader.location())
  }
}

/// A bare number in an array (a packet layout's selector values).
private struct ArchivedInteger: Archivable {
  var value: UInt64

  init(_ value: UInt64) { self.value = value }

  func write(to writer: inout ArchiveWriter) { writer.int(value) }

  init(from reader: inout ArchiveReader) throws { value = try reader.int() }
}
