/// Where encoded packets go: caller-provided memory, never a heap allocation. A packet first
/// reserves its whole size, so it is either written completely or not at all.
public protocol PM4Sink {
  /// Makes room for `dwords` more dwords, or throws `.noSpace`.
  mutating func reserve(_ dwords: Int) throws(PM4EncodingError)
  /// Appends one dword; only after `reserve` made room for it.
  mutating func put(_ dword: UInt32)
}

/// A linear buffer of dwords.
public struct PM4Buffer: PM4Sink {
  public let base: UnsafeMutablePointer<UInt32>
  public let capacity: Int
  /// Dwords written so far.
  public var count: Int { written }
  @usableFromInline var written = 0

  public init(base: UnsafeMutablePointer<UInt32>, capacity: Int) {
    self.base = base
    self.capacity = capacity
  }

  @inlinable
  public mutating func reserve(_ dwords: Int) throws(PM4EncodingError) {
    guard capacity - written >= dwords else { throw .noSpace(needed: dwords, available: capacity - written) }
  }

  @inlinable
  public mutating func put(_ dword: UInt32) {
    base[written] = dword
    written &+= 1
  }
}

/// A ring buffer of a power-of-two number of dwords, written at `writePointer & mask` as
/// `amdgpu_ring_write` does; `reserved` counts what `reserve` allowed (the ring's `count_dw`).
public struct PM4Ring: PM4Sink {
  public let base: UnsafeMutablePointer<UInt32>
  /// Ring size in dwords minus one (`buf_mask`).
  public let mask: UInt64
  /// Dwords written since the ring started (`wptr`), not masked.
  public var writePointer: UInt64 { pointer }
  @usableFromInline var pointer: UInt64
  /// Dwords the caller allowed to be written (`amdgpu_ring_alloc`).
  public var allowance: Int

  public init(base: UnsafeMutablePointer<UInt32>, mask: UInt64, writePointer: UInt64 = 0, allowance: Int) {
    self.base = base
    self.mask = mask
    self.pointer = writePointer
    self.allowance = allowance
  }

  @inlinable
  public mutating func reserve(_ dwords: Int) throws(PM4EncodingError) {
    guard allowance >= dwords else { throw .noSpace(needed: dwords, available: allowance) }
  }

  @inlinable
  public mutating func put(_ dword: UInt32) {
    base[Int(truncatingIfNeeded: pointer & mask)] = dword
    pointer &+= 1
    allowance &-= 1
  }
}
