import _Volatile

/// A memory-mapped register BAR (BAR 5 on VI GPUs): every access is one volatile 32-bit load
/// or store at `base + offset * 4`.
///
/// Offsets are checked against the mapping's size in debug builds only: in release builds an
/// access compiles to exactly the load and store of the C `RREG32`/`WREG32` pattern, which does
/// no check either (Benchmarks/zero-overhead proves it). Offsets come from generated register
/// definitions, so an out-of-range one is a wrong mapping, found by the first debug run.
public struct MappedMMIOBus: RegisterBus {
  public let baseAddress: UInt
  /// Size of the mapping in bytes; accesses beyond it trap in debug builds.
  public let byteCount: UInt

  /// The mapping must stay in place for as long as the bus (and every copy of it) is used: the bus
  /// holds its address, not the mapping.
  ///
  /// - Parameters:
  ///   - base: address where the BAR is mapped, aligned to 4 bytes.
  ///   - byteCount: size of the mapping in bytes.
  public init(base: UnsafeMutableRawPointer, byteCount: Int) {
    precondition(UInt(bitPattern: base) % 4 == 0, "a register BAR mapping must be 4-byte aligned")
    precondition(byteCount >= 0, "negative mapping size")
    baseAddress = UInt(bitPattern: base)
    self.byteCount = UInt(byteCount)
  }

  @inlinable
  func register(_ offset: UInt32) -> VolatileMappedRegister<UInt32> {
    let byteOffset = UInt(offset) &* 4
    assert(byteOffset &+ 4 <= byteCount, "register offset beyond the mapped BAR")
    return unsafe VolatileMappedRegister<UInt32>(unsafeBitPattern: baseAddress &+ byteOffset)
  }

  @inlinable
  public func read32(at offset: UInt32) -> UInt32 { register(offset).load() }

  @inlinable
  public func write32(_ value: UInt32, at offset: UInt32) { register(offset).store(value) }
}
