import Foundation

/// `gen decode --json`: one object per packet with integer values and hardware names.
public enum PacketJSON {
  struct Header: Encodable {
    var type: Int
    var count: Int
    var opcode: Int?
    var shaderType: Bool
    var predicate: Bool
  }

  struct Entry: Encodable {
    var index: Int
    /// The packet's name; nil for garbage.
    var opcode: String?
    var header: Header?
    var body: [String: UInt64]?
    var payload: [UInt32]?
    /// With `--lenient`: `packet`, `undecoded` (the body raw in `payload`) or `garbage`.
    var kind: String?
    var dwordCount: Int?
    var reason: String?
    /// The registers the packet touches (`PacketRegisters`), when it touches any.
    var registers: [RegisterEntry]?
  }

  struct RegisterEntry: Encodable {
    var kind: String
    var offset: UInt32
    var value: UInt32?
    /// Nil: no register of the spec is at the offset.
    var name: String?
    var block: String?
    var fields: [String: UInt64]?

    init(_ access: PacketRegisters.Access) {
      (kind, offset, value, name, block) = (
        access.kind.rawValue, access.offset, access.value, access.register, access.block
      )
      fields = access.fields.isEmpty ? nil : Dictionary(access.fields.map { ($0.name, $0.value) }) { a, _ in a }
    }
  }

  public static func encode(_ packets: [PacketDisassembler.Packet], registers: PacketRegisters? = nil) throws -> Data {
    try encoded(packets.map { entry($0, registers) })
  }

  /// `gen decode --lenient --json`: every item with its `kind`; garbage has only its `index`,
  /// `dwordCount` and `reason`, an undecoded packet its header, raw body and `reason`.
  public static func encode(_ items: [PacketDisassembler.Item], registers: PacketRegisters? = nil) throws -> Data {
    try encoded(
      items.map { item in
        switch item {
        case .packet(let packet):
          var entry = entry(packet, registers)
          entry.kind = "packet"
          return entry
        case .undecoded(let packet, let reason):
          var entry = entry(packet, nil)
          (entry.kind, entry.dwordCount, entry.reason) = ("undecoded", packet.dwordCount, reason)
          return entry
        case .garbage(let index, let count, let reason):
          return Entry(index: index, kind: "garbage", dwordCount: count, reason: reason)
        }
      })
  }

  private static func entry(_ packet: PacketDisassembler.Packet, _ registers: PacketRegisters?) -> Entry {
    let accesses = registers?.accesses(of: packet) ?? []
    return Entry(
      index: packet.index, opcode: packet.name,
      header: Header(
        type: packet.type, count: packet.count, opcode: packet.opcode.map(Int.init), shaderType: packet.shaderType,
        predicate: packet.predicate),
      body: Dictionary(packet.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
      payload: packet.payload, registers: accesses.isEmpty ? nil : accesses.map(RegisterEntry.init))
  }

  private static func encoded(_ entries: [Entry]) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try encoder.encode(entries)
  }
}
