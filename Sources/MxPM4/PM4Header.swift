/// PM4 packet headers (amdgpu/vid.h `PACKET0`, `CP_PACKET2`, `PACKET3`).
public enum PM4Header {
  /// Type 3: `3 << 30 | count << 16 | opcode << 8 | shaderType << 1 | predicate`, where count is
  /// the number of body dwords minus one.
  @inlinable @inline(__always)
  public static func type3(opcode: UInt8, bodyDwords: Int, shaderType: Bool = false, predicate: Bool = false) -> UInt32
  {
    (3 << 30) | ((UInt32(truncatingIfNeeded: bodyDwords &- 1) & 0x3FFF) << 16) | (UInt32(opcode) << 8)
      | (shaderType ? 2 : 0) | (predicate ? 1 : 0)
  }

  /// Type 0: writes `count + 1` consecutive registers from `register` (`PACKET0`).
  @inlinable
  public static func type0(register: UInt32, bodyDwords: Int) -> UInt32 {
    (register & 0xFFFF) | ((UInt32(truncatingIfNeeded: bodyDwords &- 1) & 0x3FFF) << 16)
  }

  /// Type 2: a one-dword filler (`CP_PACKET2`).
  public static let type2: UInt32 = 0x8000_0000

  /// The packet type (bits 31:30).
  @inlinable public static func type(of header: UInt32) -> UInt32 { header >> 30 }
  /// Body dwords minus one (bits 29:16) of a type-0 or type-3 header.
  @inlinable public static func count(of header: UInt32) -> Int { Int((header >> 16) & 0x3FFF) }
  /// Body dwords after a type-0 or type-3 header: count + 1, except that a NOP with count 0x3FFF
  /// is the one-dword pad of the VI rings (`PACKET3(PACKET3_NOP, 0x3FFF)`, facts 3.8) and has none.
  @inlinable
  public static func bodyDwords(of header: UInt32) -> Int {
    type(of: header) == 3 && opcode(of: header) == 0x10 && count(of: header) == 0x3FFF ? 0 : count(of: header) + 1
  }

  /// The opcode (bits 15:8) of a type-3 header.
  @inlinable public static func opcode(of header: UInt32) -> UInt8 { UInt8(truncatingIfNeeded: header >> 8) }

  /// Bits 7:2 of a type-3 header: reserved (kfd's `PM4_MES_TYPE_3_HEADER`), 0 in every packet
  /// the driver builds. A decoder that accepted them set could not re-encode the stream.
  public static let type3ReservedBits: UInt32 = 0xFC

  /// The longest body a header can count: 0x4000 dwords (count 0x3FFF), but 0x3FFF for a NOP,
  /// whose count 0x3FFF means the one-dword pad instead.
  @inlinable
  public static func maxBodyDwords(opcode: UInt8) -> Int { opcode == 0x10 ? 0x3FFF : 0x4000 }

  /// A type-0 packet: `payload` written to consecutive registers from `register`.
  @inlinable
  public static func encodeType0<Sink: PM4Sink, Payload: Collection<UInt32>>(
    register: UInt32, payload: Payload, into sink: inout Sink
  ) throws(PM4EncodingError) {
    guard register <= 0xFFFF else {
      throw .valueDoesNotFit(packet: "TYPE0", field: "REGISTER", value: register, width: 16)
    }
    guard (1...0x4000).contains(payload.count) else {
      throw .payloadLength(packet: "TYPE0", dwords: payload.count, allowed: 1...0x4000)
    }
    try sink.reserve(1 + payload.count)
    sink.put(type0(register: register, bodyDwords: payload.count))
    for dword in payload { sink.put(dword) }
  }

  /// A type-2 filler; it has no payload.
  @inlinable
  public static func encodeType2<Sink: PM4Sink, Payload: Collection<UInt32>>(payload: Payload, into sink: inout Sink)
    throws(PM4EncodingError)
  {
    guard payload.isEmpty else { throw .payloadLength(packet: "TYPE2", dwords: payload.count, allowed: 0...0) }
    try sink.reserve(1)
    sink.put(type2)
  }
}
