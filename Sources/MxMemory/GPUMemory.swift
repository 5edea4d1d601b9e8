import _Volatile

/// Where a buffer lives: the GPU's own memory or system memory it reaches through the GART
/// (amdgpu's `AMDGPU_GEM_DOMAIN_VRAM` / `_GTT`).
public enum MemoryDomain: String, Sendable {
  case vram
  case gtt
}

/// A buffer both the GPU and the CPU see: the address the GPU uses and the CPU's mapping of it.
/// The memory belongs to the `GPUMemory` that made it and stays valid until freed there.
public struct GPUAllocation: @unchecked Sendable {
  public let gpuAddress: UInt64
  public let cpu: UnsafeMutableRawBufferPointer
  public let domain: MemoryDomain
  /// What the driver asked for, in bytes (`cpu.count`).
  public var size: Int { cpu.count }

  public init(gpuAddress: UInt64, cpu: UnsafeMutableRawBufferPointer, domain: MemoryDomain) {
    self.gpuAddress = gpuAddress
    self.cpu = cpu
    self.domain = domain
  }

  /// The GPU address of byte `offset`.
  @inlinable public func gpuAddress(atByte offset: Int) -> UInt64 { gpuAddress &+ UInt64(offset) }

  /// Whether the `bytes` bytes at GPU address `address` lie inside the allocation.
  public func contains(_ address: UInt64, bytes: Int) -> Bool {
    guard address >= gpuAddress, bytes >= 0 else { return false }
    let offset = address - gpuAddress
    return offset <= UInt64(size) && UInt64(bytes) <= UInt64(size) - offset
  }
}

/// Why memory could not be had.
public enum GPUMemoryError: Error, Equatable, Sendable {
  /// No room for `bytes` in `domain`.
  case outOfMemory(domain: MemoryDomain, bytes: Int)
  /// The alignment asked for is not a power of two, or the size is not positive.
  case invalidRequest(bytes: Int, alignment: Int)
}

/// Allocates GPU memory as the driver asks for it (`amdgpu_bo_create_kernel`: a size, an
/// alignment, a domain), zeroed. A real device maps BOs; the simulator hands out checked memory.
public protocol GPUMemory: AnyObject {
  func allocate(bytes: Int, alignment: Int, domain: MemoryDomain) throws(GPUMemoryError) -> GPUAllocation
  func free(_ allocation: GPUAllocation)
  /// Maps `allocation` at `virtualAddress` into every VM the GPU runs work in — what the driver
  /// does for the CSA in each VM it opens (`amdgpu_map_static_csa`), so that the CP's metadata
  /// writes at that address land in it. Undone when the allocation is freed.
  func mapIntoEveryVM(_ allocation: GPUAllocation, at virtualAddress: UInt64)
}

extension GPUMemory {
  /// Nothing: the OS's VM code writes the page tables (the runtime has no GMC block), for a
  /// memory whose every VM it builds itself.
  public func mapIntoEveryVM(_ allocation: GPUAllocation, at virtualAddress: UInt64) {}

  /// A page-aligned allocation, the alignment of every buffer of facts 3.4.
  public func allocate(bytes: Int, domain: MemoryDomain) throws(GPUMemoryError) -> GPUAllocation {
    try allocate(bytes: bytes, alignment: 4096, domain: domain)
  }
}

extension GPUAllocation {
  /// The dword at byte `offset`, read from memory every time: the GPU writes it behind the
  /// compiler's back (a write pointer it reports), so a loop that polls it must not keep it in
  /// a register.
  public func volatileLoad(dwordAt offset: Int) -> UInt32 {
    precondition(offset >= 0 && offset % 4 == 0 && offset + 4 <= size, "dword outside the allocation")
    return unsafe VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(bitPattern: cpu.baseAddress!) + UInt(offset))
      .load()
  }

  /// Stores the dword at byte `offset` to memory, for the GPU to read.
  public func volatileStore(_ value: UInt32, dwordAt offset: Int) {
    precondition(offset >= 0 && offset % 4 == 0 && offset + 4 <= size, "dword outside the allocation")
    unsafe VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(bitPattern: cpu.baseAddress!) + UInt(offset))
      .store(value)
  }
}
