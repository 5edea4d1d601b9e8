import MxGFX80
import MxKIQ
import MxMemory
import MxSimulator
import MxVirtualFunction
import MxVirtualization

/// A run of one or more VFs of a Tonga or Fiji through their life cycle on a simulated GIM host,
/// with faults: what `mxgpu-sim` runs. Everything happens in exact virtual time on the
/// simulation's executor; the result is a `Timeline`.
public struct Scenario: Sendable {
  /// A step every VF takes, in order.
  public enum Step: String, CaseIterable, Sendable {
    /// Detect, initialise, release into runtime (all VFs at once).
    case bringUp = "bring-up"
    /// One register read through the KIQ per VF.
    case read
    /// A hang the guest detects on VF 0: reset request and recovery.
    case hang
    /// Suspend and resume every VF.
    case suspendResume = "suspend-resume"
    /// Unload every VF.
    case teardown
  }

  public var chip: VIChip
  public var functions: Int
  public var faults: [ScenarioFault]
  public var steps: [Step]
  /// Changes to every VF's configuration.
  public var configure: @Sendable (inout VirtualFunctionConfiguration) -> Void = { _ in }

  public init(
    chip: VIChip, functions: Int = 1, faults: [ScenarioFault] = [], steps: [Step] = [.bringUp, .read, .teardown]
  ) {
    self.chip = chip
    self.functions = functions
    self.faults = faults
    self.steps = steps
  }

  /// Runs the steps; a step that fails on a VF is in the timeline (and `failures`), and that VF
  /// takes no further step.
  public func run() async -> Timeline {
    var behavior = HostBehavior()
    var cpFaults = CommandProcessorSimulation.Faults()
    for fault in faults { fault.apply(to: &behavior, &cpFaults) }
    let gpu = SimulatedGPU(behavior: behavior, functions: functions, cpFaults: cpFaults, recordsTrace: true)
    var configuration = VirtualFunctionConfiguration(chip: chip)
    if faults.contains(.liquidScheduler) { configuration.writebackDomain = .vram }
    configure(&configuration)
    let guests = gpu.functions.indices.map { gpu.guest(for: $0, configuration: configuration) }
    let failures = await gpu.run { await perform(on: guests, gpu: gpu) }
    var histories: [[LifeCycleRecord]] = []
    for guest in guests { histories.append(await guest.history) }
    return Timeline(gpu: gpu, histories: histories, failures: failures)
  }

  /// Every step on every VF; the failures, by VF.
  private func perform(on guests: [SimulatedGuest], gpu: SimulatedGPU) async -> [Int: String] {
    var failed: [Int: String] = [:]
    for step in steps {
      let active = guests.indices.filter { failed[$0] == nil }
      let results = await withTaskGroup(of: (Int, String?).self) { group in
        for index in active {
          group.addTask { (index, await Self.perform(step, on: guests[index], index: index, gpu: gpu)) }
        }
        return await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
      }
      for case (let index, let failure?) in results { failed[index] = failure }
      if step == .bringUp, let delay = resetInRuntime, failed[0] == nil {
        await playOutHostReset(of: guests[0], after: delay, gpu: gpu)
      }
    }
    return failed
  }

  /// `flr-in-runtime`: the delay after bring-up at which the host resets VF 0.
  private var resetInRuntime: Duration? {
    for case .resetInRuntime(let delay) in faults { return delay }
    return nil
  }

  /// The host resets `guest`'s VF `delay` from now; virtual time runs (2 s at most) until the
  /// VF has recovered or given up.
  private func playOutHostReset(of guest: SimulatedGuest, after delay: Duration, gpu: SimulatedGPU) async {
    gpu.host.scheduleReset(of: 0, at: gpu.clock.now.offset + delay)
    let end = gpu.clock.now.offset + delay + .seconds(2)
    while gpu.clock.now.offset < end {
      let (history, state) = (await guest.history, await guest.state)
      if state == .failed || history.contains(where: { $0.event == .recovered }) { return }
      try? await gpu.clock.sleep(for: .milliseconds(1))
    }
  }

  private static func perform(_ step: Step, on guest: SimulatedGuest, index: Int, gpu: SimulatedGPU) async -> String? {
    do {
      switch step {
      case .bringUp: try await guest.bringUp()
      case .read:
        gpu.functions[index].cp.registers.write32(0x5EED_0000 | UInt32(index), at: SCRATCH_REG7.info.offset)
        _ = try await guest.registerAccess().read32(at: SCRATCH_REG7.info.offset)
      case .hang:
        if index == 0 { try await guest.recoverFromHang() }
      case .suspendResume:
        try await guest.suspend()
        try await guest.resume()
      case .teardown: await guest.tearDown()
      }
      return nil
    } catch {
      return "\(step.rawValue): \(error)"
    }
  }
}

/// A `VirtualFunction` on a simulated VF.
public typealias SimulatedGuest = VirtualFunction<
  SimulatedVirtualFunction.Registers, CommandProcessorSimulation.Doorbells, SimulatedGPUMemory, SimulatedClock
>

extension SimulatedGPU {
  /// A guest driver for VF `index`: its BAR 5, doorbells and memory, the simulation's clock, its
  /// tasks on the simulation's executor, its mailbox interrupts connected.
  public func guest(for index: Int, configuration: VirtualFunctionConfiguration) -> SimulatedGuest {
    let function = functions[index]
    let guest = SimulatedGuest(
      registers: function.registers, doorbells: function.doorbells, memory: function.memory, clock: clock,
      configuration: configuration, taskExecutor: executor)
    host.connectInterrupts(of: index) { guest.interruptReceived(sourceID: $0) }
    return guest
  }
}
