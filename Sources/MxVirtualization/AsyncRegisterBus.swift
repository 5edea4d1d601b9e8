import MxMMIO

/// Register access that may wait and may fail: a guest in runtime mode reaches registers through
/// the KIQ, where the command processor does the access and the driver waits for a fence.
///
/// Why not `RegisterBus`: that protocol is synchronous and cannot fail, which is right for MMIO
/// (one load or store) and lets code generic over it compile to exactly that. A KIQ access waits
/// up to seconds and can time out; behind a synchronous bus it would block a thread and turn a
/// failure into a value (the kernel's 0xFFFFFFFF). So this is a separate protocol with the same
/// typed vocabulary (`read`, `write`, `modify`), every call `async throws`; any `RegisterBus` is
/// one through `DirectRegisterAccess`. It lives here rather than in MxMMIO because Swift 6.3.1
/// crashes compiling async generic extensions for Embedded Swift, and MxMMIO builds Embedded.
public protocol AsyncRegisterBus: Sendable {
  associatedtype Failure: Error
  func read32(at offset: UInt32) async throws(Failure) -> UInt32
  func write32(_ value: UInt32, at offset: UInt32) async throws(Failure)
}

extension AsyncRegisterBus {
  /// Reads a register.
  @inlinable
  public func read<R: Register>(_: R.Type) async throws(Failure) -> RegisterValue<R> {
    RegisterValue(rawValue: try await read32(at: R.info.offset))
  }

  /// Writes a register, starting from its reset value with every write-1-to-clear bit at 0.
  @inlinable
  public func write<R: Register>(_: R.Type, _ body: (inout RegisterValue<R>) -> Void) async throws(Failure) {
    var value = RegisterValue<R>.writeStart
    body(&value)
    try await write32(value.rawValue, at: R.info.offset)
  }

  /// Read-modify-write: one read, the closure, one write; pending write-1-to-clear bits are not
  /// written back.
  @inlinable
  public func modify<R: Register>(_: R.Type, _ body: (inout RegisterValue<R>) -> Void) async throws(Failure) {
    var value = RegisterValue<R>(rawValue: try await read32(at: R.info.offset) & ~R.info.writeOneToClearMask)
    body(&value)
    try await write32(value.rawValue, at: R.info.offset)
  }
}

/// A `RegisterBus` used where an `AsyncRegisterBus` is expected: direct MMIO, which never fails.
public struct DirectRegisterAccess<Bus: RegisterBus & Sendable>: AsyncRegisterBus {
  public let bus: Bus

  public init(_ bus: Bus) {
    self.bus = bus
  }

  public func read32(at offset: UInt32) async throws(Never) -> UInt32 { bus.read32(at: offset) }
  public func write32(_ value: UInt32, at offset: UInt32) async throws(Never) { bus.write32(value, at: offset) }
}
