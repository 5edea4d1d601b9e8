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
  }

  public static func encode(_ packets: [PacketDisassembler.Packet]) throws -> Data {
    try encoded(packets.map(entry))
  }

  /// `gen decode --lenient --json`: every item with its `kind`; garbage has only its `index`,
  /// `dwordCount` and `reason`, an undecoded packet its header, raw body and `reason`.
  public static func encode(_ items: [PacketDisassembler.Item]) throws -> Data {
    try encoded(
      items.map { item in
        switch item {
        case .packet(let packet):
          var entry = entry(packet)
          entry.kind = "packet"
          return entry
        case .undecoded(let packet, let reason):
          var entry = entry(packet)
          (entry.kind, entry.dwordCount, entry.reason) = ("undecoded", packet.dwordCount, reason)
          return entry
        case .garbage(let index, let count, let reason):
          return Entry(index: index, kind: "garbage", dwordCount: count, reason: reason)
        }
      })
  }

  private static func entry(_ packet: PacketDisassembler.Packet) -> Entry {
    Entry(
      index: packet.index, opcode: packet.name,
      header: Header(
        type: packet.type, count: packet.count, opcode: packet.opcode.map(Int.init), shaderType: packet.shaderType,
        predicate: packet.predicate),
      body: Dictionary(packet.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
      payload: packet.payload)
  }

  private static func encoded(_ entries: [Entry]) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try encoder.encode(entries)
  }
}
