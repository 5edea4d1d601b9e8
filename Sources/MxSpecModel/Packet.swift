/// A set of command-processor packets (`pm4_vi`) with the enums their fields share.
public struct PacketSet: Sendable, Hashable {
  public var name: String
  public var doc: Documentation?
  public var enums: [EnumType]
  public var packets: [Packet]
  public var location: SourceLocation

  public init(
    name: String, doc: Documentation? = nil, enums: [EnumType] = [], packets: [Packet] = [],
    location: SourceLocation
  ) {
    self.name = name
    self.doc = doc
    self.enums = enums
    self.packets = packets
    self.location = location
  }
}

/// A PM4 packet: a header of the given type followed by an ordered body.
public struct Packet: Sendable, Hashable {
  public var name: String
  /// PM4 packet type: 0 (register writes), 2 (filler) or 3 (opcode).
  public var type: Int
  /// Type-3 opcode (bits 15..8 of the header).
  public var opcode: UInt8?
  public var doc: Documentation?
  public var body: [PacketItem]
  public var location: SourceLocation

  public init(
    name: String, type: Int, opcode: UInt8?, doc: Documentation? = nil, body: [PacketItem],
    location: SourceLocation
  ) {
    self.name = name
    self.type = type
    self.opcode = opcode
    self.doc = doc
    self.body = body
    self.location = location
  }
}

/// One element of a packet body, in order after the header.
public enum PacketItem: Sendable, Hashable {
  /// One dword with fixed meaning, or alternative layouts chosen by an earlier field.
  case dword(PacketDword)
  /// A group of dwords repeated as many times as the packet's count allows.
  case repeated(PacketRepeat)
  /// Raw dwords up to the end of the packet.
  case tail(PacketTail)
}

public struct PacketDword: Sendable, Hashable {
  public var name: String
  public var doc: Documentation?
  public var fields: [Field]
  /// Alternative meanings of this dword; empty when `fields` always apply.
  public var layouts: [PacketLayout]
  public var location: SourceLocation

  public init(
    name: String, doc: Documentation? = nil, fields: [Field] = [], layouts: [PacketLayout] = [],
    location: SourceLocation
  ) {
    self.name = name
    self.doc = doc
    self.fields = fields
    self.layouts = layouts
    self.location = location
  }
}

/// One meaning of a dword, used when the field named by `selector` holds one of `values`;
/// a layout without a selector is the default.
public struct PacketLayout: Sendable, Hashable {
  public var name: String
  public var selector: String?
  public var values: [UInt64]
  public var fields: [Field]
  public var location: SourceLocation

  public init(
    name: String, selector: String?, values: [UInt64], fields: [Field], location: SourceLocation
  ) {
    self.name = name
    self.selector = selector
    self.values = values
    self.fields = fields
    self.location = location
  }
}

public struct PacketRepeat: Sendable, Hashable {
  public var name: String
  public var minimum: Int
  public var maximum: Int?
  public var dwords: [PacketDword]
  public var location: SourceLocation

  public init(
    name: String, minimum: Int, maximum: Int?, dwords: [PacketDword], location: SourceLocation
  ) {
    self.name = name
    self.minimum = minimum
    self.maximum = maximum
    self.dwords = dwords
    self.location = location
  }
}

public struct PacketTail: Sendable, Hashable {
  public var name: String
  public var doc: Documentation?
  public var location: SourceLocation

  public init(name: String, doc: Documentation? = nil, location: SourceLocation) {
    self.name = name
    self.doc = doc
    self.location = location
  }
}
