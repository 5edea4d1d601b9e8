/// Where a register is and how it resets: everything about a register that is not a field.
@frozen
public struct RegisterInfo: Sendable {
  /// Dword offset (`mmFOO`) for a direct register; index in its space (`ixFOO`) otherwise.
  public let offset: UInt32
  /// Value after reset; `write` starts from it.
  public let resetValue: UInt32
  /// Bits that clear when written with 1; `modify` and `write` write them as 0 unless set.
  public let writeOneToClearMask: UInt32
  /// Name and fields for printing: `NAME FIELD@lsb:width FIELD@lsb:width{VALUE=n,…} …`.
  public let layout: StaticString

  @inlinable
  public init(offset: UInt32, resetValue: UInt32, writeOneToClearMask: UInt32, layout: StaticString) {
    self.offset = offset
    self.resetValue = resetValue
    self.writeOneToClearMask = writeOneToClearMask
    self.layout = layout
  }
}

/// A generated register definition: a caseless enum with the register's `info` and a static
/// field descriptor per field. Its values are `RegisterValue<Self>`.
///
/// Registers are definitions rather than value types of their own because one protocol
/// requirement per register compiles in half the time of a value type per register with its
/// own conformances (docs/GeneratedCode.md).
public protocol RegisterDefinition {
  static var info: RegisterInfo { get }
}

/// A register at a dword offset of the MMIO BAR (`info.offset`; byte offset four times that).
public protocol Register: RegisterDefinition {}

/// A register of an indirect address space, reached by writing its index (`info.offset`) to
/// `Index` and then accessing `Data`.
public protocol IndirectRegister: RegisterDefinition {
  associatedtype Index: Register
  associatedtype Data: Register
}

/// The 32 bits of register `R`, read and written field by field.
@frozen
public struct RegisterValue<R: RegisterDefinition>: Equatable, Sendable {
  public var rawValue: UInt32

  @inlinable
  public init(rawValue: UInt32) {
    self.rawValue = rawValue
  }

  /// The register's reset value.
  @inlinable
  public static var reset: Self { Self(rawValue: R.info.resetValue) }

  /// A field's value.
  @inlinable
  public subscript<Value>(field: RegisterField<R, Value>) -> Value {
    get { Value(fieldBits: (rawValue & field.mask) >> field.shift) }
    set { rawValue = (rawValue & ~field.mask) | ((newValue.fieldBits << field.shift) & field.mask) }
  }

  /// A read-only field's value.
  @inlinable
  public subscript<Value>(field: ReadOnlyField<R, Value>) -> Value {
    Value(fieldBits: (rawValue & field.field.mask) >> field.field.shift)
  }
}
