/// Where encoded packets go: caller-provided memory, never a heap allocation. A packet first
/// reserves its whole size, so it is either written completely or not at all.
public protocol PM4Sink {
  /// How many more dwords may be written.
  var freeDwords: Int { get }
  /// Appends one dword; only after `reserve` made room for it.
  mutating func put(_ dword: UInt32)
}

extension PM4Sink {
  /// Checks that `dwords` more dwords fit, or throws `.noSpace`. (An extension rather than a
  /// requirement: a throwing requirement stayed an indirect call in specialized builders.)
  @inlinable @inline(__always)
  public func reserve(_ dwords: Int) throws(PM4EncodingError) {
    if _slowPath(freeDwords < dwords) { throw PM4EncodingError.noSpace(needed: dwords, available: freeDwords) }
  }
}

/// A linear buffer of dwords in caller memory, which must stay allocated (and not be moved) for
/// as long as the buffer is written: the buffer holds a pointer, not the memory.
public struct PM4Buffer: PM4Sink {
  public let base: UnsafeMutablePointer<UInt32>
  public let capacity: Int
  /// Dwords written so far.
  public var count: Int { written }
  @usableFromInline var written = 0

  /// - Parameters:
  ///   - base: the first of `capacity` dwords of writable memory.
  ///   - capacity: how many dwords the buffer may hold.
  public init(base: UnsafeMutablePointer<UInt32>, capacity: Int) {
    precondition(capacity >= 0, "negative capacity")
    self.base = base
    self.capacity = capacity
  }

  @inlinable
  public var freeDwords: Int { capacity - written }

  @inlinable @inline(__always)
  public mutating func put(_ dword: UInt32) {
    assert(written < capacity, "put without reserve")
    base[written] = dword
    written &+= 1
  }
}

/// A ring buffer of a power-of-two number of dwords, written at `writePointer & mask` as
/// `amdgpu_ring_write` does; `allowance` counts what the caller allowed (the ring's `count_dw`).
/// The memory (`mask + 1` dwords) is the caller's and must outlive the ring's writes.
public struct PM4Ring: PM4Sink {
  public let base: UnsafeMutablePointer<UInt32>
  /// Ring size in dwords minus one (`buf_mask`).
  public let mask: UInt64
  /// Dwords written since the ring started (`wptr`), not masked.
  public var writePointer: UInt64 { pointer }
  @usableFromInline var pointer: UInt64
  /// Dwords the caller allowed to be written (`amdgpu_ring_alloc`).
  public var allowance: Int

  /// - Parameters:
  ///   - base: the first of `mask + 1` dwords of writable memory.
  ///   - mask: the ring's size in dwords minus one; the size is a power of two.
  ///   - writePointer: where writing starts (`ring->wptr`), counted in dwords; only its bits
  ///     under `mask` place a dword.
  ///   - allowance: how many dwords may be written, at most the ring's size (more would
  ///     overwrite what the reader has not consumed).
  public init(base: UnsafeMutablePointer<UInt32>, mask: UInt64, writePointer: UInt64 = 0, allowance: Int) {
    precondition(mask < UInt64(Int.max) && (mask &+ 1) & mask == 0, "ring size is not a power of two")
    precondition(allowance >= 0 && UInt64(allowance) <= mask &+ 1, "allowance exceeds the ring")
    self.base = base
    self.mask = mask
    self.pointer = writePointer
    self.allowance = allowance
  }

  @inlinable
  public var freeDwords: Int { allowance }

  @inlinable @inline(__always)
  public mutating func put(_ dword: UInt32) {
    assert(allowance > 0, "put without reserve")
    base[Int(truncatingIfNeeded: pointer & mask)] = dword
    pointer &+= 1
    allowance &-= 1
  }
}
