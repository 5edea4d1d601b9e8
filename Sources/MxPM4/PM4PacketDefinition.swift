import MxMMIO

/// A generated packet type: its name for errors, and the field packing its builder and decoder
/// use, so generated bodies stay one short line per field.
public protocol PM4PacketDefinition {
  /// The packet's hardware name (`MAP_QUEUES`).
  static var name: StaticString { get }
}

extension PM4PacketDefinition {
  /// `value` placed at `lsb`, or `.valueDoesNotFit` if it is wider than `width` bits.
  @inlinable @inline(__always)
  public static func bits<Value: FieldValue>(_ value: Value, _ lsb: UInt32, _ width: UInt32, _ field: StaticString)
    throws(PM4EncodingError) -> UInt32
  {
    try PM4Field.insert(value.fieldBits, into: 0, lsb: lsb, width: width, packet: name, field: field)
  }

  /// The error for a layout that its selector's value does not choose.
  public static func layoutMismatch(_ dword: StaticString, _ selector: StaticString, _ value: UInt32)
    -> PM4EncodingError
  {
    .layoutMismatch(packet: "\(name)", dword: "\(dword)", selector: "\(selector)", value: value)
  }

  /// A field's bits in a decoded dword.
  @inlinable
  public static func field(_ dword: UInt32, _ lsb: UInt32, _ width: UInt32) -> UInt32 {
    PM4Field.extract(dword, lsb: lsb, width: width)
  }

  /// The error for a field value its enum does not define.
  public static func reservedValue(_ field: StaticString, _ value: UInt32, at index: Int) -> PM4DecodingError {
    .reservedValue(packet: "\(name)", field: "\(field)", value: value, dwordIndex: index)
  }

  /// Throws if `dword` has bits set outside `fields` (the union of its fields' masks).
  public static func checkReserved(_ dword: UInt32, fields: UInt32, _ dwordName: StaticString, at index: Int)
    throws(PM4DecodingError)
  {
    guard dword & ~fields == 0 else {
      throw .reservedBits(packet: "\(name)", dword: "\(dwordName)", bits: dword & ~fields, dwordIndex: index)
    }
  }
}

/// A packet without a variable-length tail: its header counts exactly its body.
public protocol PM4FixedLengthPacket: PM4PacketDefinition {
  /// Writes the header and body to `sink`, all or nothing.
  func encode<Sink: PM4Sink>(into sink: inout Sink, shaderType: Bool, predicate: Bool) throws(PM4EncodingError)
}

extension PM4FixedLengthPacket {
  /// The packet with a payload, which must be empty: the shape every packet shares, so that a
  /// decoded stream re-encodes packet by packet the same way.
  @inlinable
  public func encode<Sink: PM4Sink, Payload: Collection<UInt32>>(
    into sink: inout Sink, payload: Payload, shaderType: Bool = false, predicate: Bool = false
  ) throws(PM4EncodingError) {
    guard payload.isEmpty else { throw .payloadLength(packet: "\(Self.name)", dwords: payload.count, allowed: 0...0) }
    try encode(into: &sink, shaderType: shaderType, predicate: predicate)
  }
}
