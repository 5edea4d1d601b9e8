/// Something that reads and writes 32-bit registers by dword offset: a mapped MMIO BAR, a
/// recording bus in tests, or the simulator. Offsets are dword indices (`mmFOO` values), as the
/// Linux driver uses them; the byte offset is four times the index.
public protocol RegisterBus {
  /// Reads the register at `offset` (a dword index).
  func read32(at offset: UInt32) -> UInt32
  /// Writes `value` to the register at `offset` (a dword index).
  func write32(_ value: UInt32, at offset: UInt32)
}

extension RegisterBus {
  /// Reads a register.
  @inlinable
  public func read<R: Register>(_: R.Type) -> RegisterValue<R> {
    RegisterValue(rawValue: read32(at: R.info.offset))
  }

  /// Writes a register, starting from `RegisterValue.writeStart`: its reset value with every
  /// write-1-to-clear bit at 0, so that fields the closure leaves alone get their documented
  /// defaults, or 0 when the reset value is unknown (generated documentation says which).
  @inlinable
  public func write<R: Register>(_: R.Type, _ body: (inout RegisterValue<R>) -> Void) {
    var value = RegisterValue<R>.writeStart
    body(&value)
    write32(value.rawValue, at: R.info.offset)
  }

  /// Writes a register value exactly as given.
  @inlinable
  public func write<R: Register>(_ value: RegisterValue<R>) {
    write32(value.rawValue, at: R.info.offset)
  }

  /// Read-modify-write: one read, the closure, one write. Write-1-to-clear bits are zeroed
  /// before the closure runs, so a pending bit is never cleared by accident; set such a field
  /// to `true` in the closure to clear it on purpose.
  @inlinable
  public func modify<R: Register>(_: R.Type, _ body: (inout RegisterValue<R>) -> Void) {
    var value = RegisterValue<R>(rawValue: read32(at: R.info.offset) & ~R.info.writeOneToClearMask)
    body(&value)
    write32(value.rawValue, at: R.info.offset)
  }
}

extension RegisterBus {
  /// Reads an indirect register: writes its index to the index register, reads the data register.
  @inlinable
  public func read<R: IndirectRegister>(_: R.Type) -> RegisterValue<R> {
    write32(R.info.offset, at: R.Index.info.offset)
    return RegisterValue(rawValue: read32(at: R.Data.info.offset))
  }

  /// Writes an indirect register, starting from `RegisterValue.writeStart`.
  @inlinable
  public func write<R: IndirectRegister>(_: R.Type, _ body: (inout RegisterValue<R>) -> Void) {
    var value = RegisterValue<R>.writeStart
    body(&value)
    write32(R.info.offset, at: R.Index.info.offset)
    write32(value.rawValue, at: R.Data.info.offset)
  }

  /// Read-modify-write of an indirect register: the index is written once.
  @inlinable
  public func modify<R: IndirectRegister>(_: R.Type, _ body: (inout RegisterValue<R>) -> Void) {
    write32(R.info.offset, at: R.Index.info.offset)
    var value = RegisterValue<R>(rawValue: read32(at: R.Data.info.offset) & ~R.info.writeOneToClearMask)
    body(&value)
    write32(value.rawValue, at: R.Data.info.offset)
  }
}
