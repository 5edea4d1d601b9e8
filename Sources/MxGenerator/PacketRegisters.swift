import MxSpecModel

/// The registers inside decoded packets, named from the register spec and their values decoded
/// field by field, as UMR shows them: the payloads of SET_CONFIG_REG, SET_SH_REG,
/// SET_CONTEXT_REG and SET_UCONFIG_REG (each from its range's base: 0x2000, 0x2C00, 0xA000,
/// 0xC000, vid.h's PACKET3_SET_*_REG_START), type-0 packets, WRITE_DATA to a register, the
/// registers COPY_DATA copies from or to, and the register WAIT_REG_MEM polls (with the
/// reference it waits for). An offset no register of the spec has is shown as such.
public struct PacketRegisters: Sendable {
  /// One register a packet writes, reads or waits on.
  public struct Access: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable {
      case write, read, wait
    }

    public var kind: Kind
    /// Dword offset in BAR 5.
    public var offset: UInt32
    /// What is written, or waited for; nil for a read.
    public var value: UInt32?
    /// The register's name and block, nil when no register of the spec is at the offset.
    public var register: String?
    public var block: String?
    /// `value` field by field (the register's fields, with their enums' names).
    public var fields: [PacketDisassembler.Packet.Field]

    /// `SCRATCH_REG0 (0xC040) ← 0xDEADBEEF`, then the fields; `… read` and `… written` for
    /// COPY_DATA, whose values are not in the packet; `0xA1FF (no register)` for an offset the
    /// spec has nothing at.
    public var line: String {
      let arrow =
        switch kind {
        case .write: " ← "
        case .read: " → "
        case .wait: " waits for "
        }
      var text = (register.map { "\($0) (\(Hex.plain(offset)))" } ?? "\(Hex.plain(offset)) (no register)")
      if let value { text += arrow + Hex.plain(value) } else { text += kind == .read ? " read" : " written" }
      if !fields.isEmpty { text += ": " + fields.map(\.text).joined(separator: " ") }
      return text
    }
  }

  /// The SET_*_REG packets and the base of each one's range.
  static let setRanges: [String: UInt32] = [
    "SET_CONFIG_REG": 0x2000, "SET_SH_REG": 0x2C00, "SET_CONTEXT_REG": 0xA000, "SET_UCONFIG_REG": 0xC000,
  ]

  private let byOffset: [UInt32: (register: Register, block: Block)]

  /// The MMIO registers of every block in `spec`; where two share an offset, the first block's
  /// (in the specs' order) names it.
  public init(spec: Spec) {
    var byOffset: [UInt32: (register: Register, block: Block)] = [:]
    for block in spec.blocks {
      for register in block.registers where register.space == AddressSpace.mmioName && register.aliasOf == nil {
        if byOffset[register.offset] == nil { byOffset[register.offset] = (register, block) }
      }
    }
    self.byOffset = byOffset
  }

  /// Whether the spec had any register to name.
  public var isEmpty: Bool { byOffset.isEmpty }

  /// The registers `packet` touches, in the order it touches them.
  public func accesses(of packet: PacketDisassembler.Packet) -> [Access] {
    func field(_ name: String) -> UInt32? {
      packet.fields.first { $0.name == name }.map { UInt32(truncatingIfNeeded: $0.value) }
    }
    if let base = Self.setRanges[packet.name], let offset = field("REG_OFFSET") {
      return packet.payload.enumerated().map { access(.write, base + offset + UInt32($0.offset), $0.element) }
    }
    switch packet.name {
    case "TYPE0":
      guard let base = field("REGISTER") else { return [] }
      return packet.payload.enumerated().map { access(.write, base + UInt32($0.offset), $0.element) }
    case "WRITE_DATA":
      guard field("DST_SEL") == 0, let offset = field("DST_ADDR_LO") else { return [] }
      let oneAddress = field("WR_ONE_ADDR") == 1
      return packet.payload.enumerated().map {
        access(.write, offset + (oneAddress ? 0 : UInt32($0.offset)), $0.element)
      }
    case "COPY_DATA":
      return [
        field("SRC_REG_OFFSET").map { access(.read, $0, nil) }, field("DST_REG_OFFSET").map { access(.write, $0, nil) },
      ]
      .compactMap { $0 }
    case "WAIT_REG_MEM":
      guard field("MEM_SPACE") == 0, let offset = field("POLL_ADDRESS_LO") else { return [] }
      return [access(.wait, offset, field("REFERENCE"))]
    default:
      return []
    }
  }

  private func access(_ kind: Access.Kind, _ offset: UInt32, _ value: UInt32?) -> Access {
    guard let (register, block) = byOffset[offset] else {
      return Access(kind: kind, offset: offset, value: value, register: nil, block: nil, fields: [])
    }
    let fields = value.map { Self.fields(of: register, in: block, value: $0) } ?? []
    return Access(kind: kind, offset: offset, value: value, register: register.name, block: block.id, fields: fields)
  }

  /// `value` of `register` field by field, each with its enum value's name where it has one.
  public static func fields(of register: Register, in block: Block, value: UInt32) -> [PacketDisassembler.Packet.Field]
  {
    register.fields.map { field in
      let raw = (UInt64(value) & field.bits.mask) >> UInt64(field.bits.lsb)
      let enumType = field.enumName.flatMap { name in block.enums.first { $0.name == name } }
      return PacketDisassembler.Packet.Field(
        name: field.name, value: raw, valueName: enumType?.values.first { $0.value == raw }?.name)
    }
  }
}
