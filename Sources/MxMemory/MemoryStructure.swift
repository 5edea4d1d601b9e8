import MxMMIO

/// A typed view of a structure in memory the caller owns (an MQD, CE/DE metadata): the
/// generated structure types conform. Reading a member reads the memory and setting it writes
/// the memory; nothing is copied or allocated. The memory must stay allocated, 4-byte aligned
/// and at least `byteCount` long for as long as the view is used.
public protocol MemoryStructure {
  /// The structure's size in dwords.
  static var dwordCount: Int { get }
  /// Where the structure starts.
  var base: UnsafeMutableRawPointer { get }
  /// A view of the structure at `base`, unchecked (see `init(in:atByte:)`).
  init(unsafeBase base: UnsafeMutableRawPointer)
}

/// Why a view could not be made.
public enum MemoryViewError: Error, Equatable, Sendable {
  /// `needed` bytes at `offset` do not fit in `available`.
  case outOfBounds(offset: Int, needed: Int, available: Int)
  /// The structure would start at an address that is not 4-byte aligned.
  case misaligned(offset: Int)
}

extension MemoryStructure {
  /// The structure's size in bytes.
  @inlinable public static var byteCount: Int { dwordCount * 4 }

  /// A view of the structure at byte `offset` of `memory`, checked to lie inside it and to be
  /// 4-byte aligned.
  @inlinable
  public init(in memory: UnsafeMutableRawBufferPointer, atByte offset: Int = 0) throws(MemoryViewError) {
    guard let start = memory.baseAddress, offset >= 0, offset <= memory.count - Self.byteCount else {
      throw .outOfBounds(offset: offset, needed: Self.byteCount, available: memory.count)
    }
    guard Int(bitPattern: start + offset) % 4 == 0 else { throw .misaligned(offset: offset) }
    self.init(unsafeBase: start + offset)
  }

  /// Dword `index` of the structure.
  @inlinable
  public subscript(dword index: Int) -> UInt32 {
    get { base.load(fromByteOffset: index &* 4, as: UInt32.self) }
    nonmutating set { base.storeBytes(of: newValue, toByteOffset: index &* 4, as: UInt32.self) }
  }

  /// Dword `index` as the value of the register it mirrors.
  @inlinable
  public subscript<R: RegisterDefinition>(register index: Int) -> RegisterValue<R> {
    get { RegisterValue(rawValue: self[dword: index]) }
    nonmutating set { self[dword: index] = newValue.rawValue }
  }

  /// `count` dwords from dword `index`.
  @inlinable
  public subscript(dwords index: Int, count count: Int) -> DwordArray {
    DwordArray(base: base + index &* 4, count: count)
  }

  /// The structure that starts at dword `index`.
  @inlinable
  public subscript<S: MemoryStructure>(structure index: Int) -> S {
    S(unsafeBase: base + index &* 4)
  }

  /// The GPU address held in dwords `lo` and `hi` (see `AddressField`).
  @inlinable
  public subscript(address lo: Int, _ hi: Int, shift shift: Int, alignment alignment: UInt64, bits bits: Int)
    -> AddressField
  {
    AddressField(lo: base + lo &* 4, hi: base + hi &* 4, shift: shift, alignment: alignment, bits: bits)
  }

  /// Every dword set to 0.
  @inlinable
  public func zero() { base.initializeMemory(as: UInt32.self, repeating: 0, count: Self.dwordCount) }
}
