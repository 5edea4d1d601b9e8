/// A field of register `R`: bits `lsb ..< lsb + width`, seen as a `Value`.
///
/// Setting a field stores the low `width` bits of the value's bit pattern; wider values are
/// truncated to the field (the C `REG_SET_FIELD` behaviour). Use `RegisterField.fits(_:)` to
/// check a value first where truncation would be a bug.
@frozen
public struct RegisterField<R: RegisterDefinition, Value: FieldValue> {
  public let shift: UInt32
  public let mask: UInt32

  @inlinable
  public init(lsb: UInt32, width: UInt32) {
    shift = lsb
    mask = (width >= 32 ? ~0 : (1 << width) &- 1) << lsb
  }

  /// Number of bits in the field.
  @inlinable
  public var width: UInt32 { UInt32(mask.nonzeroBitCount) }

  /// Whether `value` is representable in the field without truncation.
  @inlinable
  public func fits(_ value: Value) -> Bool {
    value.fieldBits & ~(mask >> shift) == 0
  }
}

/// A field that software can only read: it has no setter.
@frozen
public struct ReadOnlyField<R: RegisterDefinition, Value: FieldValue> {
  public let field: RegisterField<R, Value>

  @inlinable
  public init(lsb: UInt32, width: UInt32) {
    field = RegisterField(lsb: lsb, width: width)
  }
}
