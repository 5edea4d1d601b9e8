/// A typed 32-bit register value with fields. Generated register types conform through
/// `Register` (direct MMIO), `IndirectRegister` (through an index/data pair) or, for an
/// indirect space whose pair is not known, only this protocol.
public protocol RegisterValue: Equatable, Sendable {
  /// Value after reset; `write` starts from it.
  static var resetValue: UInt32 { get }
  /// Bits that clear when written with 1; `modify` and `write` write them as 0 unless set.
  static var writeOneToClearMask: UInt32 { get }
  /// The register's 32 bits.
  var rawValue: UInt32 { get set }
  init(rawValue: UInt32)
}

/// A register at a dword offset of the MMIO BAR.
public protocol Register: RegisterValue {
  /// Dword offset (`mmFOO`); the byte offset in the BAR is four times this.
  static var offset: UInt32 { get }
}

/// A register of an indirect address space, reached by writing its index to `Index` and then
/// accessing `Data`.
public protocol IndirectRegister: RegisterValue {
  associatedtype Index: Register
  associatedtype Data: Register
  /// Offset in the indirect space (`ixFOO`).
  static var index: UInt32 { get }
}

extension RegisterValue {
  /// Two values are equal when their bits are; generated types need no synthesized `==`.
  @inlinable
  public static func == (a: Self, b: Self) -> Bool { a.rawValue == b.rawValue }

  /// A field's value.
  @inlinable
  public subscript<Value>(field: RegisterField<Self, Value>) -> Value {
    get { Value(fieldBits: (rawValue & field.mask) >> field.shift) }
    set { rawValue = (rawValue & ~field.mask) | ((newValue.fieldBits << field.shift) & field.mask) }
  }

  /// A read-only field's value.
  @inlinable
  public subscript<Value>(field: ReadOnlyField<Self, Value>) -> Value {
    Value(fieldBits: (rawValue & field.field.mask) >> field.field.shift)
  }
}
