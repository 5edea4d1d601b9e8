import Foundation
import MxSpecModel

/// How `gen describe` finds registers: by MMIO dword offset or byte address, by name (exact,
/// case-insensitive), by glob (`CP_HQD_*`, `mailbox_?ontrol`), or by part of a name.
public struct RegisterQuery: Equatable, Sendable {
  public enum Kind: Equatable, Sendable {
    /// Every MMIO register at this dword offset (aliases included).
    case offset(UInt32)
    /// Names matching the pattern, case-insensitively (`*`, `?`, `[...]`).
    case glob(String)
    /// This name, case-insensitively; failing that, names that contain it.
    case name(String)
  }

  public let kind: Kind

  /// Reads `text`: a number (decimal or 0x-prefixed hex) is an address — a dword offset, or with
  /// `byteAddress` a byte address, which must be dword-aligned; text with `*`, `?` or `[` is a
  /// glob; anything else a name.
  public init(_ text: String, byteAddress: Bool = false) throws(QueryError) {
    if let number = Hex.parse(text) {
      guard number <= UInt32.max else { throw .notAnAddress(text) }
      if byteAddress {
        guard number % 4 == 0 else { throw .misalignedByteAddress(text) }
        kind = .offset(UInt32(number / 4))
      } else {
        kind = .offset(UInt32(number))
      }
    } else if text.first?.isNumber == true || text.isEmpty {
      throw .notAnAddress(text)
    } else if text.contains(where: { "*?[".contains($0) }) {
      kind = .glob(text)
    } else {
      kind = .name(text)
    }
  }

  /// The registers of `spec` (in `block` only, when given) that match, in block and offset order.
  public func matches(in spec: Spec, block: String? = nil) -> [(block: Block, register: Register)] {
    let candidates = spec.blocks.sorted { $0.id < $1.id }.filter { block == nil || $0.id == block }.flatMap {
      candidate in
      candidate.registers.sorted { ($0.space, $0.offset, $0.name) < ($1.space, $1.offset, $1.name) }.map {
        (block: candidate, register: $0)
      }
    }
    switch kind {
    case .offset(let offset):
      return candidates.filter { $0.register.space == AddressSpace.mmioName && $0.register.offset == offset }
    case .glob(let pattern):
      let pattern = pattern.uppercased()
      return candidates.filter { fnmatch(pattern, $0.register.name.uppercased(), 0) == 0 }
    case .name(let name):
      let exact = candidates.filter { $0.register.name.caseInsensitiveCompare(name) == .orderedSame }
      if !exact.isEmpty { return exact }
      return candidates.filter { $0.register.name.range(of: name, options: .caseInsensitive) != nil }
    }
  }

  public enum QueryError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAnAddress(String)
    case misalignedByteAddress(String)

    public var description: String {
      switch self {
      case .notAnAddress(let text): "'\(text)' is neither a register name nor a 32-bit address"
      case .misalignedByteAddress(let text): "byte address \(text) is not dword-aligned"
      }
    }
  }
}

/// A register as `gen describe --json` prints it: its place, access, reset, fields, and — given
/// a value — each field's value and enum name.
public struct RegisterDescriptionJSON: Encodable {
  struct FieldJSON: Encodable {
    var name, access: String
    var lsb, width: Int
    var `enum`: String?
    var value: UInt32?
    var valueName: String?
  }

  var name, block, space, access: String
  var offset: UInt32
  var byteAddress: UInt32?
  /// Absent when the reset value is unknown.
  var reset: UInt32?
  var aliasOf: String?
  var value: UInt32?
  var fields: [FieldJSON]

  public init(_ register: Register, of block: Block, value: UInt32? = nil) {
    name = register.name
    self.block = block.id
    space = register.space
    access = register.access.rawValue
    offset = register.offset
    byteAddress = register.space == AddressSpace.mmioName ? register.offset &* 4 : nil
    reset = register.resetValue
    aliasOf = register.aliasOf
    self.value = value
    let enums = Dictionary(block.enums.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    fields = register.fields.sorted { ($0.bits.lsb, $0.name) < ($1.bits.lsb, $1.name) }.map { field in
      let bits = value.map { UInt32(truncatingIfNeeded: (UInt64($0) & field.bits.mask) >> UInt64(field.bits.lsb)) }
      return FieldJSON(
        name: field.name, access: register.access(of: field).rawValue, lsb: field.bits.lsb, width: field.bits.width,
        enum: field.enumName, value: bits,
        valueName: bits.flatMap { bits in
          field.enumName.flatMap { enums[$0] }?.values.first { $0.value == UInt64(bits) }?.name
        })
    }
  }
}

/// One register of a list of matches.
public struct RegisterMatchJSON: Encodable {
  var name, block, space: String
  var offset: UInt32

  public init(_ register: Register, of block: Block) {
    (name, self.block, space, offset) = (register.name, block.id, register.space, register.offset)
  }
}
