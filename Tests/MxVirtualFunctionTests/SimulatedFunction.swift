import MxKIQ
import MxMemory
import MxScenario
import MxSimulator
import MxVirtualFunction
import MxVirtualization

/// A guest `VirtualFunction` on VF `index` of a simulated GPU, its mailbox interrupts connected.
struct SimulatedFunction {
  let gpu: SimulatedGPU
  let hardware: SimulatedVirtualFunction
  let guest: SimulatedGuest

  init(on gpu: SimulatedGPU, index: Int = 0, configuration: VirtualFunctionConfiguration) {
    self.gpu = gpu
    hardware = gpu.functions[index]
    guest = gpu.guest(for: index, configuration: configuration)
  }

  /// One VF alone on a GPU.
  init(
    chip: VIChip, behavior: HostBehavior = .gim, cpFaults: CommandProcessorSimulation.Faults = .init(),
    configure: (inout VirtualFunctionConfiguration) -> Void = { _ in }
  ) {
    var configuration = VirtualFunctionConfiguration(chip: chip)
    configure(&configuration)
    self.init(on: SimulatedGPU(behavior: behavior, cpFaults: cpFaults), configuration: configuration)
  }

  /// Runs `body` on the simulation's executor: the test's calls, the guest and the host share
  /// one thread and virtual time moves only when all of them wait.
  func simulate(_ body: () async throws -> Void) async throws {
    try await gpu.run { () async throws -> Void in try await body() }
  }

  var now: Duration { gpu.clock.now.offset }
  var hostLog: [HostLogEntry] { hardware.mailbox.hostLog }
  var events: [LifeCycleEvent] { get async { await guest.history.map(\.event) } }

  /// Lets virtual time run, in steps, until `condition` holds or `limit` has passed; whether it
  /// held.
  @discardableResult
  func run(for limit: Duration, until condition: () async -> Bool) async -> Bool {
    let end = now + limit
    while now < end {
      if await condition() { return true }
      try? await gpu.clock.sleep(for: .milliseconds(1))
    }
    return await condition()
  }

  /// A register read through the VF's routing (the KIQ in runtime).
  func read(_ offset: UInt32) async throws -> UInt32 {
    try await guest.registerAccess().read32(at: offset)
  }
}
