import MxMemory

/// A GPU VM as the driver lays it out: buffers mapped at virtual addresses below the VM's size,
/// with the top 2 MiB reserved for the kernel (the CSA). Enough to map the CSA into each VM a
/// guest opens and to translate the addresses the CE/DE metadata carry back to memory.
public struct VirtualAddressSpace: Sendable {
  /// What a mapping allows (`AMDGPU_PTE_READABLE` / `_WRITEABLE` / `_EXECUTABLE`).
  public struct Access: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let read = Access(rawValue: 1)
    public static let write = Access(rawValue: 2)
    public static let execute = Access(rawValue: 4)
  }

  public struct Mapping: Sendable {
    public let virtualAddress: UInt64
    public let allocation: GPUAllocation
    public let access: Access

    /// Whether the `bytes` bytes at `address` lie inside the mapping.
    func contains(_ address: UInt64, bytes: Int) -> Bool {
      address >= virtualAddress && address - virtualAddress <= UInt64(allocation.size)
        && UInt64(bytes) <= UInt64(allocation.size) - (address - virtualAddress)
    }
  }

  public let size: VMSize
  public private(set) var mappings: [Mapping] = []

  public init(size: VMSize) {
    self.size = size
  }

  /// The addresses userspace may map: all but the reserved top (the driver reports
  /// `vm_size − AMDGPU_VA_RESERVED_SIZE`).
  public var userRange: Range<UInt64> { 0..<(size.bytes - ContextSaveArea.reservedVirtualBytes) }

  /// Maps `allocation` at `address` (page-aligned, inside the VM, overlapping nothing).
  public mutating func map(_ allocation: GPUAllocation, at address: UInt64, access: Access)
    throws(VirtualAddressError)
  {
    guard address % 4096 == 0 else { throw .misaligned(address) }
    let end = address.addingReportingOverflow(UInt64(allocation.size))
    guard !end.overflow, end.partialValue <= size.bytes else {
      throw .outsideVM(address, bytes: allocation.size, vmBytes: size.bytes)
    }
    if let other = mappings.first(where: {
      address < $0.virtualAddress + UInt64($0.allocation.size) && $0.virtualAddress < end.partialValue
    }) {
      throw .overlaps(address, existing: other.virtualAddress)
    }
    mappings.append(Mapping(virtualAddress: address, allocation: allocation, access: access))
  }

  /// Removes the mapping at `address` (`amdgpu_unmap_static_csa` at close); false if none.
  @discardableResult
  public mutating func unmap(at address: UInt64) -> Bool {
    guard let index = mappings.firstIndex(where: { $0.virtualAddress == address }) else { return false }
    mappings.remove(at: index)
    return true
  }

  /// The allocation and byte offset that `bytes` bytes at virtual `address` reach, if mapped
  /// with `access`. Sign-extended addresses are taken as the hardware takes them (bits 63:48
  /// ignored).
  public func translate(_ address: UInt64, bytes: Int = 4, access: Access = .read) -> (GPUAllocation, Int)? {
    let address = address & 0x0000_FFFF_FFFF_FFFF
    guard let mapping = mappings.first(where: { $0.contains(address, bytes: bytes) }),
      mapping.access.isSuperset(of: access)
    else { return nil }
    return (mapping.allocation, Int(address - mapping.virtualAddress))
  }
}

/// Why a mapping could not be made.
public enum VirtualAddressError: Error, Equatable, Sendable {
  case misaligned(UInt64)
  case outsideVM(UInt64, bytes: Int, vmBytes: UInt64)
  case overlaps(UInt64, existing: UInt64)
}
