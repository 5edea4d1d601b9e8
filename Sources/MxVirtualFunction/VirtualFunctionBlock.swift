import MxMMIO
import MxMemory

/// One IP block of a VF, with the kernel's life-cycle hooks (`struct amd_ip_funcs`) and what a
/// VF adds to them. The `VirtualFunction` runs every block's hook in the driver's order
/// (`VirtualFunction.blocks`, as `vi_set_ip_blocks` orders them), the fini hooks in reverse;
/// a block keeps its own resources and reaches the others' through the VF, as the kernel's do
/// through `adev`. Adding a block means writing its file and listing it there.
///
/// Every hook runs on the VF (its `isolated` parameter), one at a time.
protocol VirtualFunctionBlock<Registers, Doorbells, Memory, C>: AnyObject {
  associatedtype Registers: RegisterBus & Sendable
  associatedtype Doorbells: RegisterBus & Sendable
  associatedtype Memory: GPUMemory & Sendable
  associatedtype C: Clock where C.Duration == Duration

  /// `sw_init`: what lives as long as the VF (allocations, interrupt sources), once, under the
  /// first exclusive access.
  func softwareInit(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>) throws(VirtualFunctionError)
  /// `hw_init`: the hardware programmed. `afterGrant` — every time but the first, and always
  /// after a reset or resume — means VRAM and the VF's hardware state did not survive since
  /// the last: what the block keeps in VRAM is rebuilt first (the VF's addition: GIM loads the
  /// VBIOS over it at every grant and never says so).
  func hardwareInit(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>, afterGrant: Bool)
    async throws(VirtualFunctionError)
  /// `late_init`: at bring-up and resume, after every block's hardware init.
  func lateInit(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>) async throws(VirtualFunctionError)
  /// What the driver runs once access is released: the IB tests at bring-up and resume (the
  /// delayed init work); inside the exclusive window after a reset (`amdgpu_device_reset_sriov`).
  func readiness(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>, underExclusiveAccess: Bool)
    async throws(VirtualFunctionError)
  /// Before a recovery rebuilds the VF (`amdgpu_device_pre_asic_reset`): the hardware's state
  /// is about to be, or has been, lost — work in flight is accounted for now.
  func prepareForReset(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>) async
  /// `suspend`, under FINI access.
  func suspend(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>) async throws(VirtualFunctionError)
  /// `hw_fini`, under FINI access at teardown.
  func hardwareFini(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>) async throws(VirtualFunctionError)
  /// `sw_fini`: everything the block allocated, freed.
  func softwareFini(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>) async
}

extension VirtualFunctionBlock {
  func softwareInit(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>) throws(VirtualFunctionError) {}
  func hardwareInit(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>, afterGrant: Bool)
    async throws(VirtualFunctionError)
  {}
  func lateInit(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>) async throws(VirtualFunctionError) {}
  func readiness(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>, underExclusiveAccess: Bool)
    async throws(VirtualFunctionError)
  {}
  func prepareForReset(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>) async {}
  func suspend(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>) async throws(VirtualFunctionError) {}
  func hardwareFini(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>) async throws(VirtualFunctionError)
  {}
  func softwareFini(_ vf: isolated VirtualFunction<Registers, Doorbells, Memory, C>) async {}
}
