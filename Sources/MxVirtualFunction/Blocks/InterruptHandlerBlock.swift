import MxIH
import MxKIQ
import MxMMIO
import MxMemory
import MxVirtualization

/// The interrupt handler block (`tonga_ih`): the IH ring allocated in software init with the
/// dummy page INTERRUPT_CNTL2 points at, programmed in hardware init under every grant (a reset
/// clears the IH with the rest of the VF), disabled at suspend and hardware fini. A task serves
/// the VF's interrupt line: each time it is asserted the ring is processed and every entry
/// dispatched to the block that registered its source.
///
/// The dummy page belongs to the GMC's GART in the driver (`amdgpu_gart_dummy_page_init`); the VF
/// has no GMC block, so this block holds it: one page in GTT.
final class InterruptHandlerBlock<
  Registers: RegisterBus & Sendable, Doorbells: RegisterBus & Sendable, Memory: GPUMemory & Sendable, C: Clock
>: VirtualFunctionBlock where C.Duration == Duration {
  typealias Device = VirtualFunction<Registers, Doorbells, Memory, C>

  private var ring: InterruptRing?
  private var dummyPage: GPUAllocation?
  private var service: Task<Void, Never>?

  /// A VF let go without its teardown still ends the service: parked on the interrupt line, it
  /// would hold the ring — and through it the function's doorbells and memory — for good.
  deinit {
    service?.cancel()
  }

  func softwareInit(_ vf: isolated Device) throws(VirtualFunctionError) {
    let ring: InterruptRing
    do {
      ring = try InterruptRing(
        memory: vf.memory, doorbells: vf.doorbells, doorbellIndex: VIDoorbell.ih, dispatcher: vf.interrupts)
      dummyPage = try vf.memory.allocate(bytes: 4096, domain: .gtt)
    } catch {
      throw .memory(error)
    }
    self.ring = ring
    let (line, registers) = (vf.interruptLine, VirtualFunctionRegisters(vf))
    service = Task(executorPreference: vf.taskExecutor) { await ring.serve(line: line, registers: registers) }
  }

  func hardwareInit(_ vf: isolated Device, afterGrant: Bool) async throws(VirtualFunctionError) {
    guard let ring, let dummyPage else { return }
    ring.initialize(registers: vf.registers, dummyPageAddress: dummyPage.gpuAddress)
    vf.record(.interruptRingReady(gpuAddress: ring.allocation.gpuAddress))
  }

  func prepareForReset(_ vf: isolated Device) async {
    ring?.forget()
  }

  func suspend(_ vf: isolated Device) async throws(VirtualFunctionError) {
    ring?.disable(registers: vf.registers)
  }

  func hardwareFini(_ vf: isolated Device) async throws(VirtualFunctionError) {
    ring?.disable(registers: vf.registers)
  }

  func softwareFini(_ vf: isolated Device) async {
    service?.cancel()
    if let ring { vf.memory.free(ring.allocation) }
    if let dummyPage { vf.memory.free(dummyPage) }
    (ring, dummyPage, service) = (nil, nil, nil)
  }
}

/// The VF's registers as its driver reaches them at the moment of each access (direct while
/// exclusive, the KIQ in runtime): for the interrupt handler's overflow, which can come in any
/// state. Holds the VF weakly: it lives in a task the VF owns.
struct VirtualFunctionRegisters<
  Registers: RegisterBus & Sendable, Doorbells: RegisterBus & Sendable, Memory: GPUMemory & Sendable, C: Clock
>: AsyncRegisterBus where C.Duration == Duration {
  enum Failure: Error {
    case unavailable
    case routing(GuestRegisterRouting<Registers, C>.Failure)
  }

  private weak var vf: VirtualFunction<Registers, Doorbells, Memory, C>?

  init(_ vf: VirtualFunction<Registers, Doorbells, Memory, C>) {
    self.vf = vf
  }

  func read32(at offset: UInt32) async throws(Failure) -> UInt32 {
    guard let routing = try? await vf?.registerAccess() else { throw .unavailable }
    do {
      return try await routing.read32(at: offset)
    } catch {
      throw .routing(error)
    }
  }

  func write32(_ value: UInt32, at offset: UInt32) async throws(Failure) {
    guard let routing = try? await vf?.registerAccess() else { throw .unavailable }
    do {
      try await routing.write32(value, at: offset)
    } catch {
      throw .routing(error)
    }
  }
}
