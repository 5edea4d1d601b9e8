import Foundation
import MxSpecModel

/// The resolved model as JSON, for other tools and editors (`gen export --json`). Hardware names,
/// integers for every number, arrays sorted (blocks by id, registers by name, fields by lsb, enums
/// by name), keys sorted: the same specs always give the same bytes. Schema: docs/Export.md.
public enum SpecExport {
  public static let formatVersion = 1

  public static func json(_ spec: Spec) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(Document(spec))
  }

  struct Document: Encodable {
    var format = SpecExport.formatVersion
    var blocks: [BlockJSON]
    var chips: [ChipJSON]
    var packetSets: [PacketSetJSON]
    var mailboxes: [MailboxJSON]
    var interruptSources: [InterruptSourceSetJSON]
    var clearStates: [ClearStateJSON]
    var structures: [StructureJSON]

    init(_ spec: Spec) {
      blocks = spec.blocks.sorted { $0.id < $1.id }.map(BlockJSON.init)
      chips = spec.chips.sorted { $0.name < $1.name }.map { ChipJSON($0, blocks: spec.blocks) }
      packetSets = spec.packetSets.sorted { $0.name < $1.name }.map { set in
        PacketSetJSON(set, names: spec.opcodeNames.first { $0.packetSet == set.name })
      }
      mailboxes = spec.mailboxes.sorted { $0.name < $1.name }.map(MailboxJSON.init)
      interruptSources = spec.interruptSources.sorted { $0.name < $1.name }.map(InterruptSourceSetJSON.init)
      clearStates = spec.clearStates.sorted { $0.name < $1.name }.map(ClearStateJSON.init)
      let pairs = Dictionary(grouping: spec.addressPairs, by: \.structure)
      structures = spec.structures.sorted { $0.name < $1.name }.map {
        StructureJSON($0, addresses: pairs[$0.name] ?? [])
      }
    }
  }

  struct BlockJSON: Encodable {
    var id, name, version, module: String
    var spaces: [SpaceJSON]
    var registers: [RegisterJSON]
    var enums: [EnumJSON]

    init(_ block: Block) {
      id = block.id
      name = block.name
      version = block.version
      module = block.moduleName
      spaces =
        [SpaceJSON(name: AddressSpace.mmioName, index: nil, data: nil)]
        + block.spaces.sorted { $0.name < $1.name }.map {
          SpaceJSON(name: $0.name, index: $0.indexRegister, data: $0.dataRegister)
        }
      registers = block.registers.sorted { ($0.name, $0.space) < ($1.name, $1.space) }.map(RegisterJSON.init)
      enums = block.enums.sorted { $0.name < $1.name }.map(EnumJSON.init)
    }
  }

  struct SpaceJSON: Encodable {
    var name: String
    var index, data: String?
  }

  struct RegisterJSON: Encodable {
    /// The kernel header macro: `mmNAME` for the direct space, `ixNAME` otherwise.
    var symbol: String
    var name, space, access: String
    var offset: UInt32
    /// Absent when the reset value is unknown.
    var reset: UInt32?
    var aliasOf: String?
    var fields: [FieldJSON]

    init(_ register: Register) {
      symbol =
        register.space == AddressSpace.mmioName
        ? "mm" + register.name : register.name.hasPrefix("ix") ? register.name : "ix" + register.name
      name = register.name
      space = register.space
      access = register.access.rawValue
      offset = register.offset
      reset = register.resetValue
      aliasOf = register.aliasOf
      fields = register.fields.sorted { ($0.bits.lsb, $0.name) < ($1.bits.lsb, $1.name) }.map {
        FieldJSON($0, access: register.access(of: $0))
      }
    }
  }

  struct FieldJSON: Encodable {
    var name, access: String
    var lsb, width: Int
    var mask: UInt64
    var `enum`: String?

    init(_ field: Field, access: Access) {
      name = field.name
      self.access = access.rawValue
      lsb = field.bits.lsb
      width = field.bits.width
      mask = field.bits.mask
      self.enum = field.enumName
    }
  }

  struct EnumJSON: Encodable {
    struct Value: Encodable {
      var name: String
      var value: UInt64
    }

    var name: String
    var values: [Value]

    init(_ enumType: EnumType) {
      name = enumType.name
      values = enumType.values.map { Value(name: $0.name, value: $0.value) }
    }
  }

  struct ChipJSON: Encodable {
    struct PCI: Encodable {
      var vendor, device: UInt16
      var function: String
    }

    struct Write: Encodable {
      var register: String
      var offset: UInt32?
      var and, or: UInt32
    }

    struct Golden: Encodable {
      var name: String
      var writes: [Write]
    }

    var name: String
    var family: String?
    var blocks: [String]
    var pciIDs: [PCI]
    var goldenSequences: [Golden]

    init(_ chip: Chip, blocks all: [Block]) {
      let used = all.used(by: chip)
      let registers = DirectRegisterIndex(used, writtenBy: chip)
      name = chip.name
      family = chip.family
      blocks = used.map(\.id)
      pciIDs = chip.pciIDs.map { PCI(vendor: $0.vendor, device: $0.device, function: $0.function.rawValue) }
      goldenSequences = chip.goldenSequences.map { sequence in
        Golden(
          name: sequence.name,
          writes: sequence.writes.map { write in
            Write(
              register: write.register,
              offset: registers.registers(named: write.register).first?.offset,
              and: write.andMask, or: write.orMask)
          })
      }
    }
  }

  struct PacketSetJSON: Encodable {
    struct OpcodeName: Encodable {
      var name: String
      var value: UInt8
    }

    var name: String
    var enums: [EnumJSON]
    var packets: [PacketJSON]
    var opcodeNames: [OpcodeName]

    init(_ set: PacketSet, names: OpcodeNames?) {
      name = set.name
      enums = set.enums.sorted { $0.name < $1.name }.map(EnumJSON.init)
      packets = set.packets.sorted { $0.name < $1.name }.map(PacketJSON.init)
      opcodeNames = (names?.opcodes ?? []).sorted { $0.value < $1.value }.map {
        OpcodeName(name: $0.name, value: $0.value)
      }
    }
  }

  struct PacketJSON: Encodable {
    struct Dword: Encodable {
      var name: String
      var fields: [FieldJSON]
      var layouts: [Layout]
      var repeated: String?
    }

    struct Layout: Encodable {
      var name: String
      var when: String?
      var equals: [UInt64]
      var fields: [FieldJSON]
    }

    var name: String
    var type: Int
    var opcode: UInt8?
    var dwords: [Dword]
    var tail: String?

    init(_ packet: Packet) {
      func dword(_ d: PacketDword, repeated: String?) -> Dword {
        Dword(
          name: d.name, fields: d.fields.map { FieldJSON($0, access: $0.access ?? .readWrite) },
          layouts: d.layouts.map {
            Layout(
              name: $0.name, when: $0.selector, equals: $0.values,
              fields: $0.fields.map { FieldJSON($0, access: $0.access ?? .readWrite) })
          }, repeated: repeated)
      }
      name = packet.name
      type = packet.type
      opcode = packet.opcode
      dwords = packet.body.flatMap { item -> [Dword] in
        switch item {
        case .dword(let d): [dword(d, repeated: nil)]
        case .repeated(let group): group.dwords.map { dword($0, repeated: group.name) }
        case .tail: []
        }
      }
      tail = packet.tail?.name
    }
  }

  struct MailboxJSON: Encodable {
    struct MessageJSON: Encodable {
      var name, direction: String
      var id: UInt32
      var reply: String?
      var timeoutMilliseconds, pollMilliseconds: Int?
      var hostSetsValid: Bool
    }

    var name: String
    var messages: [MessageJSON]

    init(_ mailbox: Mailbox) {
      name = mailbox.name
      messages = mailbox.messages.map {
        MessageJSON(
          name: $0.name, direction: $0.direction.rawValue, id: $0.id, reply: $0.reply,
          timeoutMilliseconds: $0.timeoutMilliseconds, pollMilliseconds: $0.pollMilliseconds,
          hostSetsValid: $0.hostSetsValid)
      }
    }
  }

  struct InterruptSourceSetJSON: Encodable {
    struct SourceJSON: Encodable {
      var name, header: String
      var id: UInt32
      var extendedID: UInt32?
    }

    var name: String
    var sources: [SourceJSON]

    init(_ set: InterruptSourceSet) {
      name = set.name
      sources = set.sources.sorted { ($0.id, $0.extendedID ?? 0, $0.name) < ($1.id, $1.extendedID ?? 0, $1.name) }.map {
        SourceJSON(name: $0.name, header: $0.header, id: $0.id, extendedID: $0.extendedID)
      }
    }
  }

  /// A clear state's extents; a hole has no register.
  struct ClearStateJSON: Encodable {
    struct ExtentJSON: Encodable {
      var header: String
      var start: UInt32
      var values: [ValueJSON]
    }

    struct ValueJSON: Encodable {
      var register: String?
      var value: UInt32
    }

    var name, registers: String
    var extents: [ExtentJSON]

    init(_ clearState: ClearState) {
      name = clearState.name
      registers = clearState.registerBlock
      extents = clearState.extents.map { extent in
        ExtentJSON(
          header: extent.header, start: extent.start,
          values: extent.values.map { ValueJSON(register: $0.register, value: $0.value) })
      }
    }
  }

  struct StructureJSON: Encodable {
    struct Member: Encodable {
      var name: String
      var dword, count: Int
      var register, type: String?
    }

    struct Address: Encodable {
      var name, lo, hi: String
      var shift: Int
      var alignment: UInt64
      var bits: Int
    }

    var name: String
    var dwords: Int
    var registerBlock: String?
    var members: [Member]
    var addresses: [Address]

    init(_ structure: Structure, addresses pairs: [AddressPair]) {
      name = structure.name
      dwords = structure.sizeInDwords
      registerBlock = structure.registerBlock
      members = structure.members.sorted { $0.dword < $1.dword }.map {
        Member(name: $0.name, dword: $0.dword, count: $0.count, register: $0.register, type: $0.type)
      }
      addresses = pairs.sorted { $0.name < $1.name }.map {
        Address(name: $0.name, lo: $0.lo, hi: $0.hi, shift: $0.shift, alignment: $0.alignment, bits: $0.bits)
      }
    }
  }
}
