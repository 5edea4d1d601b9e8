/// A GPU address that a structure holds in two dwords, as the driver stores it: `lo` holds
/// bits 31:0 of `address >> shift`, `hi` the bits above. The hardware ignores the low bits, so an
/// address must be `alignment`-aligned and fit in `bits` bits; `set` refuses any other rather
/// than store a different address.
public struct AddressField {
  public let lo: UnsafeMutableRawPointer
  public let hi: UnsafeMutableRawPointer
  public let shift: Int
  /// In bytes; a power of two.
  public let alignment: UInt64
  public let bits: Int

  @inlinable
  public init(lo: UnsafeMutableRawPointer, hi: UnsafeMutableRawPointer, shift: Int, alignment: UInt64, bits: Int) {
    self.lo = lo
    self.hi = hi
    self.shift = shift
    self.alignment = alignment
    self.bits = bits
  }

  /// The address the two dwords hold.
  @inlinable
  public var value: UInt64 {
    let low = UInt64(lo.load(as: UInt32.self))
    let high = UInt64(hi.load(as: UInt32.self))
    return (high << 32 | low) << UInt64(shift)
  }

  /// Stores `address`, or throws if it is not aligned or too wide (nothing is written then).
  @inlinable
  public func set(_ address: UInt64) throws(AddressError) {
    guard address & (alignment &- 1) == 0 else { throw .misaligned(address: address, alignment: alignment) }
    guard bits >= 64 || address >> UInt64(bits) == 0 else { throw .tooWide(address: address, bits: bits) }
    let stored = address >> UInt64(shift)
    lo.storeBytes(of: UInt32(truncatingIfNeeded: stored), as: UInt32.self)
    hi.storeBytes(of: UInt32(truncatingIfNeeded: stored >> 32), as: UInt32.self)
  }
}

/// Why an address could not be stored.
public enum AddressError: Error, Equatable, Sendable {
  /// The address has bits set below its alignment, which the hardware would drop.
  case misaligned(address: UInt64, alignment: UInt64)
  /// The address has bits set at or above `bits`.
  case tooWide(address: UInt64, bits: Int)
}
