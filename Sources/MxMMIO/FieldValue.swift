/// A type a register field can be read as: its value is the field's bits, right-aligned.
public protocol FieldValue {
  init(fieldBits: UInt32)
  var fieldBits: UInt32 { get }
}

extension Bool: FieldValue {
  @inlinable public init(fieldBits: UInt32) { self = fieldBits != 0 }
  @inlinable public var fieldBits: UInt32 { self ? 1 : 0 }
}

extension UInt32: FieldValue {
  @inlinable public init(fieldBits: UInt32) { self = fieldBits }
  @inlinable public var fieldBits: UInt32 { self }
}

extension UInt16: FieldValue {
  @inlinable public init(fieldBits: UInt32) { self = UInt16(truncatingIfNeeded: fieldBits) }
  @inlinable public var fieldBits: UInt32 { UInt32(self) }
}

extension UInt8: FieldValue {
  @inlinable public init(fieldBits: UInt32) { self = UInt8(truncatingIfNeeded: fieldBits) }
  @inlinable public var fieldBits: UInt32 { UInt32(self) }
}

/// A generated enum type: a named set of values of a field. It is a struct over the raw bits,
/// not a Swift `enum`, because hardware can hold values the spec does not name and reading
/// them must never trap.
public protocol RegisterEnum: FieldValue, RawRepresentable, Hashable, Sendable where RawValue == UInt32 {
  init(rawValue: UInt32)
}

extension RegisterEnum {
  @inlinable public init(fieldBits: UInt32) { self.init(rawValue: fieldBits) }
  @inlinable public var fieldBits: UInt32 { rawValue }
}
