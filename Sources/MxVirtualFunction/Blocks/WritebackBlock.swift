import MxCSA
import MxMMIO
import MxMemory

/// Writeback and the CSA, which the driver sets up right after the GMC's hardware init
/// (`amdgpu_device_wb_init`, `amdgpu_allocate_static_csa`; facts 1.3, 4.1): the 256 writeback
/// slots every ring's pointers and fences live in (GTT, or VRAM for GIM's liquid scheduler),
/// and the 128 KiB context save area in VRAM, mapped at its address into every VM
/// (`amdgpu_map_static_csa`, `GPUMemory.mapIntoEveryVM`). After every later grant the CSA is cleared — the
/// host's VBIOS load wrote over it — and so is the writeback when it is in VRAM (the blocks that
/// own slots there set theirs again).
final class WritebackBlock<
  Registers: RegisterBus & Sendable, Doorbells: RegisterBus & Sendable, Memory: GPUMemory & Sendable, C: Clock
>: VirtualFunctionBlock where C.Duration == Duration {
  typealias Device = VirtualFunction<Registers, Doorbells, Memory, C>

  func softwareInit(_ vf: isolated Device) throws(VirtualFunctionError) {
    do {
      vf.writeback = try WritebackSlots(gpuMemory: vf.memory, domain: vf.configuration.writebackDomain)
      let csa = try ContextSaveArea.allocate(in: vf.memory)
      vf.memory.mapIntoEveryVM(csa, at: vf.contextSaveArea.mappingAddress)
      vf.csa = csa
    } catch {
      throw .memory(error)
    }
  }

  func hardwareInit(_ vf: isolated Device, afterGrant: Bool) async throws(VirtualFunctionError) {
    if afterGrant {
      vf.csa?.cpu.initializeMemory(as: UInt8.self, repeating: 0)
      if let writeback = vf.writeback, writeback.memory.domain == .vram {
        writeback.memory.cpu.initializeMemory(as: UInt8.self, repeating: 0)
      }
    }
    vf.record(
      .contextSaveAreaReady(virtualAddress: vf.contextSaveArea.virtualAddress, layout: vf.configuration.metadataLayout))
  }

  func softwareFini(_ vf: isolated Device) async {
    if let csa = vf.csa { vf.memory.free(csa) }
    if let writeback = vf.writeback { vf.memory.free(writeback.memory) }
    (vf.csa, vf.writeback) = (nil, nil)
  }
}
