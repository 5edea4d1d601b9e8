import MxSpecModel

/// Decodes PM4 dword streams straight from the spec model: what `gen decode` prints. It follows
/// the same rules as the generated decoder (strict lengths, enum values and reserved bits; a NOP
/// header with count 0x3FFF is one dword), and a test holds the two to the same results.
public struct PacketDisassembler: Sendable {
  public struct Packet: Equatable, Sendable {
    public struct Field: Equatable, Sendable {
      public var name: String
      public var value: UInt64
      /// The enum value's name, when the field has an enum.
      public var valueName: String?

      /// `NAME=3`, `NAME=0x1F`, `NAME=ENUM_VALUE(2)`.
      public var text: String {
        let number = value < 10 ? String(value) : Hex.plain(value)
        return "\(name)=" + (valueName.map { "\($0)(\(value))" } ?? number)
      }
    }

    public var index: Int
    public var dwordCount: Int
    /// The packet's name, `TYPE0` or `TYPE2`.
    public var name: String
    public var type: Int
    public var count: Int
    public var opcode: UInt8?
    public var shaderType: Bool
    public var predicate: Bool
    /// Body fields in order, by hardware name.
    public var fields: [Field]
    public var payload: [UInt32]
  }

  public struct DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var dwordIndex: Int
    public var message: String
    public var description: String { "dword \(dwordIndex): \(message)" }
  }

  public let set: PacketSet
  private let byOpcode: [UInt8: MxSpecModel.Packet]
  /// Every opcode's name: the set's packets and `names` (vid.h's, for the ones with no layout).
  private let names: [UInt8: String]
  private let enums: [String: EnumType]

  public init(set: PacketSet, names: OpcodeNames? = nil) {
    self.set = set
    byOpcode = Dictionary(
      set.packets.compactMap { packet in packet.opcode.map { ($0, packet) } }, uniquingKeysWith: { a, _ in a })
    self.names = Dictionary(
      (names?.opcodes ?? []).map { ($0.value, $0.name) }, uniquingKeysWith: { a, _ in a }
    ).merging(byOpcode.mapValues(\.name)) { _, packet in packet }
    enums = Dictionary(set.enums.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
  }

  /// The disassembler of `set` with the opcode names `spec` has for it.
  public init(set: PacketSet, in spec: Spec) {
    self.init(set: set, names: spec.opcodeNames.first { $0.packetSet == set.name })
  }

  /// Every packet of `dwords`, or the first error with its dword index (and what decoded before it).
  public func decode(_ dwords: [UInt32]) -> (packets: [Packet], error: DecodeError?) {
    var packets: [Packet] = []
    var index = 0
    while index < dwords.count {
      switch packet(at: index, in: dwords) {
      case .success(let packet):
        packets.append(packet)
        index += packet.dwordCount
      case .failure(let error):
        return (packets, error)
      }
    }
    return (packets, nil)
  }

  /// The packet whose header is `dwords[index]`, decoded by the strict rules, or why it is none.
  func packet(at index: Int, in dwords: [UInt32]) -> Result<Packet, DecodeError> {
    let header = dwords[index]
    let type = Int(header >> 30)
    let opcode = UInt8(truncatingIfNeeded: header >> 8)
    let count = Int((header >> 16) & 0x3FFF)
    if type == 2 {
      guard header == 0x8000_0000 else {
        return .failure(
          DecodeError(dwordIndex: index, message: "type-2 filler with bits \(Hex.plain(header & 0x3FFF_FFFF)) set"))
      }
      return .success(
        Packet(
          index: index, dwordCount: 1, name: "TYPE2", type: 2, count: 0, opcode: nil, shaderType: false,
          predicate: false, fields: [], payload: []))
    }
    guard type == 0 || type == 3 else {
      return .failure(DecodeError(dwordIndex: index, message: "invalid packet type \(type)"))
    }
    if type == 3 && header & 0xFC != 0 {
      return .failure(DecodeError(dwordIndex: index, message: "reserved header bits \(Hex.plain(header & 0xFC)) set"))
    }
    // As PM4Header.bodyDwords(of:): a NOP with count 0x3FFF is the one-dword pad.
    let bodyDwords = type == 3 && opcode == 0x10 && count == 0x3FFF ? 0 : count + 1
    guard dwords.count - index - 1 >= bodyDwords else {
      return .failure(
        DecodeError(
          dwordIndex: index,
          message: "header counts \(bodyDwords) body dwords but only \(dwords.count - index - 1) follow"))
    }
    let body = Array(dwords[(index + 1)..<(index + 1 + bodyDwords)])
    var packet = Packet(
      index: index, dwordCount: 1 + bodyDwords, name: "TYPE0", type: type, count: count,
      opcode: type == 3 ? opcode : nil, shaderType: type == 3 && header & 2 != 0,
      predicate: type == 3 && header & 1 != 0, fields: [], payload: body)
    if type == 0 {
      packet.fields = [Packet.Field(name: "REGISTER", value: UInt64(header & 0xFFFF), valueName: nil)]
      return .success(packet)
    }
    guard let definition = byOpcode[opcode] else {
      let message = name(of: opcode).map { "\($0): \(noLayout(opcode))" } ?? "unknown opcode \(Hex.plain(opcode))"
      return .failure(DecodeError(dwordIndex: index, message: message))
    }
    do {
      try decodeBody(definition, body: body, at: index, into: &packet)
    } catch {
      return .failure(error)
    }
    return .success(packet)
  }

  /// The packet set's definition of `opcode`, if it has one.
  func definition(of opcode: UInt8) -> MxSpecModel.Packet? { byOpcode[opcode] }

  /// The name of `opcode`, whether or not the set has its layout.
  public func name(of opcode: UInt8) -> String? { names[opcode] }

  /// Why a named opcode is not decoded.
  func noLayout(_ opcode: UInt8) -> String { "no layout for opcode \(Hex.plain(opcode)) in \(set.name)" }

  private func decodeBody(_ definition: MxSpecModel.Packet, body: [UInt32], at index: Int, into packet: inout Packet)
    throws(DecodeError)
  {
    let dwords = definition.dwords
    let hasTail = definition.tail != nil
    packet.name = definition.name
    guard hasTail ? body.count >= dwords.count : body.count == dwords.count else {
      throw DecodeError(
        dwordIndex: index,
        message:
          "\(definition.name) has \(body.count) body dwords; expected \(hasTail ? "at least " : "")\(dwords.count)")
    }
    for (position, dword) in dwords.enumerated() {
      var fields = dword.fields
      if !dword.layouts.isEmpty {
        let selector = dword.layouts.compactMap(\.selector).first
        let selected = packet.fields.first { $0.name == selector }?.value
        let layout =
          dword.layouts.first { $0.selector != nil && selected.map($0.values.contains) == true }
          ?? dword.layouts.first { $0.selector == nil }
        guard let layout else {
          throw DecodeError(
            dwordIndex: index + 1 + position,
            message: "\(definition.name).\(dword.name): no layout for \(selector ?? "?") = \(selected ?? 0)")
        }
        fields = layout.fields
      }
      let word = body[position]
      let covered = fields.reduce(UInt64(0)) { $0 | $1.bits.mask }
      if UInt64(word) & ~covered != 0 {
        throw DecodeError(
          dwordIndex: index + 1 + position,
          message:
            "\(definition.name).\(dword.name): reserved bits \(Hex.plain(UInt64(word) & ~covered)) set"
        )
      }
      for field in fields {
        let value = (UInt64(word) & field.bits.mask) >> UInt64(field.bits.lsb)
        var valueName: String?
        if let enumType = field.enumName.flatMap({ enums[$0] }) {
          valueName = enumType.values.first { $0.value == value }?.name
          if valueName == nil {
            throw DecodeError(
              dwordIndex: index + 1 + position,
              message: "\(definition.name).\(field.name): reserved value \(value)")
          }
        }
        packet.fields.append(Packet.Field(name: field.name, value: value, valueName: valueName))
      }
    }
    packet.payload = hasTail ? Array(body[dwords.count...]) : []
  }
}

extension PacketDisassembler.Packet {
  /// `0008: MAP_QUEUES QUEUE_SEL=MAP_TO_SPECIFIED_QUEUE_SLOTS(0) … MQD_ADDR_LO=0x23456000`.
  public var line: String {
    var text = PacketDisassembler.Item.position(index) + ": " + name
    if shaderType { text += " [compute]" }
    if predicate { text += " [predicate]" }
    for field in fields { text += " " + field.text }
    if !payload.isEmpty {
      text += " payload=[" + payload.map { Hex.plain($0) }.joined(separator: ", ") + "]"
    }
    return text
  }
}
