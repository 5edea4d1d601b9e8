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
    var opcode: String
    var header: Header
    var body: [String: UInt64]
    var payload: [UInt32]
  }

  public static func encode(_ packets: [PacketDisassembler.Packet]) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try encoder.encode(
      packets.map { packet in
        Entry(
          index: packet.index, opcode: packet.name,
          header: Header(
            type: packet.type, count: packet.count, opcode: packet.opcode.map(Int.init), shaderType: packet.shaderType,
            predicate: packet.predicate),
          body: Dictionary(packet.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
          payload: packet.payload)
      })
  }
}
