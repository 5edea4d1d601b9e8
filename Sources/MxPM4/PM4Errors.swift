/// Why a packet could not be encoded. Values are never truncated silently.
public enum PM4EncodingError: Error, Equatable, Sendable {
  /// The sink has room for `available` dwords; the packet needs `needed`.
  case noSpace(needed: Int, available: Int)
  /// A field's value has bits beyond the field's width.
  case valueDoesNotFit(packet: String, field: String, value: UInt32, width: Int)
  /// A dword's layout does not match what its selector field chooses.
  case layoutMismatch(packet: String, dword: String, selector: String, value: UInt32)
  /// The packet's body would be longer than a header can count (16,384 dwords; 16,383 for a NOP).
  case tooLong(packet: String, bodyDwords: Int)
  /// A payload of `dwords` dwords where the packet takes `allowed` (none for a packet without a
  /// tail; at least one register value for a type-0 packet).
  case payloadLength(packet: String, dwords: Int, allowed: ClosedRange<Int>)
}

/// Why a dword stream could not be decoded; every case names the dword index (from 0) where
/// the offending packet or dword starts.
public enum PM4DecodingError: Error, Equatable, Sendable {
  /// Header type 1 (not used) at this index.
  case invalidType(UInt32, dwordIndex: Int)
  /// A type-3 opcode that the packet set does not define.
  case unknownOpcode(UInt8, dwordIndex: Int)
  /// The header counts more dwords than the stream has.
  case truncated(dwordIndex: Int, needed: Int, available: Int)
  /// The header's count does not fit the packet's layout.
  case wrongLength(packet: String, dwordIndex: Int, bodyDwords: Int, expected: String)
  /// A field holds a value its enum does not define.
  case reservedValue(packet: String, field: String, value: UInt32, dwordIndex: Int)
  /// Bits outside every field of a dword are set.
  case reservedBits(packet: String, dword: String, bits: UInt32, dwordIndex: Int)
}

extension PM4DecodingError {
  /// The stream index of the offending packet or dword.
  public var dwordIndex: Int {
    switch self {
    case .invalidType(_, let index), .unknownOpcode(_, let index), .truncated(let index, _, _),
      .wrongLength(_, let index, _, _), .reservedValue(_, _, _, let index), .reservedBits(_, _, _, let index):
      index
    }
  }
}

/// Field packing for generated builders: the bit work lives here, once.
public enum PM4Field {
  /// `dword` with `value` placed at `lsb`, or `.valueDoesNotFit` if `value` is wider than `width`.
  /// The error is built out of line, so the inlined check is one test and a cold branch.
  @inlinable @inline(__always)
  public static func insert(
    _ value: UInt32, into dword: UInt32, lsb: UInt32, width: UInt32, packet: StaticString, field: StaticString
  ) throws(PM4EncodingError) -> UInt32 {
    let ones: UInt32 = width >= 32 ? ~0 : (1 << width) &- 1
    if _slowPath(value & ~ones != 0) { throw doesNotFit(packet, field, value, width) }
    return dword | (value << lsb)
  }

  @usableFromInline @inline(never)
  static func doesNotFit(_ packet: StaticString, _ field: StaticString, _ value: UInt32, _ width: UInt32)
    -> PM4EncodingError
  {
    .valueDoesNotFit(packet: "\(packet)", field: "\(field)", value: value, width: Int(width))
  }

  /// The bits of a field.
  @inlinable
  public static func extract(_ dword: UInt32, lsb: UInt32, width: UInt32) -> UInt32 {
    let ones: UInt32 = width >= 32 ? ~0 : (1 << width) &- 1
    return (dword >> lsb) & ones
  }
}
