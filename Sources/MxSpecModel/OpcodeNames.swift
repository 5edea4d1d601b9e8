/// The names a header gives the PM4 type-3 opcodes of a packet set (`amdgpu/vid.h`'s
/// `PACKET3_*`): every opcode the hardware has, so that a decoder can name a packet the set has
/// no layout for.
public struct OpcodeNames: Sendable, Hashable {
  /// One opcode: the macro without `PACKET3_`, and its value (bits 15..8 of the header).
  public struct Opcode: Sendable, Hashable {
    public var name: String
    public var value: UInt8
    public var location: SourceLocation

    public init(name: String, value: UInt8, location: SourceLocation) {
      self.name = name
      self.value = value
      self.location = location
    }
  }

  /// The packet set these names belong to (`pm4_vi`).
  public var packetSet: String
  public var doc: Documentation?
  public var opcodes: [Opcode]
  public var location: SourceLocation

  public init(packetSet: String, doc: Documentation? = nil, opcodes: [Opcode], location: SourceLocation) {
    self.packetSet = packetSet
    self.doc = doc
    self.opcodes = opcodes
    self.location = location
  }
}
