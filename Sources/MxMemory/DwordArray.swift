/// Consecutive dwords of a structure in caller memory (a `reserved[256]` member): a collection
/// whose elements are read from and written to the memory.
public struct DwordArray: RandomAccessCollection {
  public let base: UnsafeMutableRawPointer
  public let count: Int

  @inlinable
  public init(base: UnsafeMutableRawPointer, count: Int) {
    self.base = base
    self.count = count
  }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { count }

  @inlinable
  public subscript(index: Int) -> UInt32 {
    get {
      precondition(index >= 0 && index < count, "dword index out of range")
      return base.load(fromByteOffset: index &* 4, as: UInt32.self)
    }
    nonmutating set {
      precondition(index >= 0 && index < count, "dword index out of range")
      base.storeBytes(of: newValue, toByteOffset: index &* 4, as: UInt32.self)
    }
  }
}
