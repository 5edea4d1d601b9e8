/// Where a register is and how it resets: everything about a register that is not a field.
@frozen
public struct RegisterInfo: Sendable {
  /// Dword offset (`mmFOO`) for a direct register; index in its space (`ixFOO`) otherwise.
  public let offset: UInt32
  /// Value after reset, nil when no source gives it (the kernel headers give no reset values,
  /// so every imported register starts out unknown until a spec overlay cites one).
  public let resetValue: UInt32?
  /// Bits that clear when written with 1; `modify` and `write` write them as 0 unless set.
  public let writeOneToClearMask: UInt32
  /// Name and fields for printing: `NAME FIELD@lsb:width FIELD@lsb:width{VALUE=n,…} …`.
  public let layout: StaticString

  @inlinable
  public init(offset: UInt32, resetValue: UInt32? = nil, writeOneToClearMask: UInt32, layout: StaticString) {
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

  /// The register's reset value; nil when it is not known.
  @inlinable
  public static var reset: Self? { R.info.resetValue.map { Self(rawValue: $0) } }

  /// What `write` starts from: the reset value with every write-1-to-clear bit at 0, or 0 when
  /// the reset is unknown.
  ///
  /// Zero for an unknown reset is a decision, not a guess at the hardware: it is what the
  /// driver does when it builds a value to write (`tmp = 0; tmp = REG_SET_FIELD(tmp, …);
  /// WREG32(…)`), it is the same on every run, and fields a write leaves alone are then 0
  /// rather than a value nobody documented. To keep the fields a write does not set, use
  /// `modify`, which starts from what the register holds.
  @inlinable
  public static var writeStart: Self { Self(rawValue: (R.info.resetValue ?? 0) & ~R.info.writeOneToClearMask) }

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
