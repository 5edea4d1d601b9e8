import MxMemory

/// The context save area (`amdgpu_csa.c`, facts 4.1): 128 KiB of VRAM, one per device, mapped at
/// the same GPU virtual address into every VM. The command processor saves a VF's state there on
/// a world switch; the driver writes the CE/DE metadata at its start (`CSAMetadata`) and points
/// the GDS backup 4 KiB in.
public struct ContextSaveArea: Equatable, Sendable {
  /// `AMDGPU_CSA_SIZE`.
  public static let byteCount = 128 << 10
  /// `AMDGPU_VA_RESERVED_SIZE`: the top of every VM that userspace never gets; the CSA sits at
  /// its start.
  public static let reservedVirtualBytes: UInt64 = 2 << 20
  /// Where the GDS backup starts, from the CSA's start (`gfx_v8_0_ring_emit_de_meta`).
  public static let gdsBackupOffset: UInt64 = 4096

  /// The GPU virtual address the CSA has in every VM, as the driver computes it: sign-extended
  /// when it lies in the upper half of a 48-bit address space.
  public let virtualAddress: UInt64

  /// The CSA of a gfx8 VM of `vmSize`.
  public init(vmSize: VMSize) {
    self.init(vmTop: vmSize.bytes)
  }

  /// The CSA of a VM whose addresses end at `vmTop` (`amdgpu_csa_vaddr`: `max_pfn << 12` − 2 MiB,
  /// with bits 63:48 set from `AMDGPU_GMC_HOLE_START` (2^47) up). gfx8's VMs end at 1 TiB at most,
  /// so there the extension never happens; later chips' 48-bit VMs reach it.
  public init(vmTop: UInt64) {
    precondition(vmTop >= Self.reservedVirtualBytes && vmTop <= 1 << 48, "a VM ends between 2 MiB and 2^48")
    var address = vmTop - Self.reservedVirtualBytes
    if address >= 1 << 47 { address |= 0xFFFF_0000_0000_0000 }
    virtualAddress = address
  }

  /// The address its mapping is made at (`amdgpu_map_static_csa`): the virtual address with the
  /// sign extension removed (`AMDGPU_GMC_HOLE_MASK`).
  public var mappingAddress: UInt64 { virtualAddress & 0x0000_FFFF_FFFF_FFFF }

  /// The GDS backup address written into the DE metadata: the CSA + 4 KiB.
  public var gdsBackupAddress: UInt64 { virtualAddress &+ Self.gdsBackupOffset }

  /// Allocates the CSA's memory as `amdgpu_allocate_static_csa` does: 128 KiB, page-aligned,
  /// VRAM, zeroed.
  public static func allocate(in memory: some GPUMemory) throws(GPUMemoryError) -> GPUAllocation {
    try memory.allocate(bytes: byteCount, alignment: 4096, domain: .vram)
  }

  /// Maps `allocation` at the CSA's address into `vm`, readable, writeable and executable, as
  /// the driver does for every VM it opens (`amdgpu_driver_open_kms`).
  public func map(_ allocation: GPUAllocation, into vm: inout VirtualAddressSpace) throws(VirtualAddressError) {
    try vm.map(allocation, at: mappingAddress, access: [.read, .write, .execute])
  }
}
