import MxGFX80
import MxKIQ
import MxLock
import MxMemory
import MxSimulator
import MxVirtualFunction
import MxVirtualization

/// A run of one or more VFs of a Tonga or Fiji through their life cycle on a simulated GIM host,
/// with faults, each aimed at one VF or at all: what `mxgpu-sim` runs. Everything happens in
/// exact virtual time on the simulation's executor; the result is a `Timeline`.
public struct Scenario: Sendable {
  /// A step the VFs take — every VF, or one — in the order of `steps`.
  public struct Step: Equatable, Sendable {
    /// What the step does.
    public enum Action: String, CaseIterable, Sendable {
      /// Detect, initialise, release into runtime (the VFs at once).
      case bringUp = "bring-up"
      /// One register read through the KIQ.
      case read
      /// A hang the guest detects: reset request and recovery.
      case hang
      /// Suspend and resume.
      case suspendResume = "suspend-resume"
      /// The scenario's workload: submissions on the compute rings, each checked.
      case work
      /// Unload.
      case teardown
    }

    public var action: Action
    /// The VF that takes the step; nil: every VF.
    public var vf: Int?

    /// `action` on VF `vf`, or on every VF.
    public init(_ action: Action, on vf: Int? = nil) {
      self.action = action
      self.vf = vf
    }

    /// Parses `NAME[@vfN]`.
    public init(_ text: String) throws(ScenarioSyntaxError) {
      let (name, vf) = try ScenarioSyntaxError.splitTarget(text, what: "step")
      guard let action = Action(rawValue: name) else { throw ScenarioSyntaxError("unknown step '\(text)'") }
      self.init(action, on: vf)
    }

    public static let bringUp = Step(.bringUp)
    public static let read = Step(.read)
    public static let hang = Step(.hang)
    public static let suspendResume = Step(.suspendResume)
    public static let teardown = Step(.teardown)
    /// Every action once, on every VF, in the order they are declared.
    public static let everyAction = Action.allCases.map { Step($0) }
  }

  public var chip: VIChip
  public var functions: Int
  public var faults: [ScenarioFault]
  public var steps: [Step]
  /// What a `work` step submits.
  public var workload = Workload(submissions: 8)
  /// How long the host's world-switch commands take (the model's; zero by default).
  public var worldSwitch = WorldSwitchTiming()
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

  /// Runs the steps; a step that fails on a VF is in the timeline (and its `failure`), and that
  /// VF takes no further step. Throws before anything runs if a fault or step names a VF the
  /// scenario does not have.
  public func run() async throws(ScenarioSyntaxError) -> Timeline {
    guard (1...16).contains(functions) else { throw ScenarioSyntaxError("a host has 1 to 16 VFs, not \(functions)") }
    let aims = faults.compactMap(\.vf) + steps.compactMap(\.vf)
    if let vf = aims.first(where: { $0 >= functions }) {
      throw ScenarioSyntaxError("vf\(vf) is aimed at, but the scenario has \(functions) VF\(functions == 1 ? "" : "s")")
    }
    var behavior = HostBehavior()
    behavior.worldSwitch = worldSwitch
    for fault in faults { fault.apply(to: &behavior) }
    let gpu = SimulatedGPU(behavior: behavior, functions: functions, recordsTrace: true)
    for (index, function) in gpu.functions.enumerated() {
      var cpFaults = CommandProcessorSimulation.Faults()
      for fault in faults { fault.apply(to: &cpFaults, of: index) }
      function.cp.setFaults(cpFaults)
    }
    var configuration = VirtualFunctionConfiguration(chip: chip)
    if faults.contains(where: { $0.kind == .liquidScheduler }) { configuration.writebackDomain = .vram }
    configure(&configuration)
    let guests = gpu.functions.indices.map { gpu.guest(for: $0, configuration: configuration) }
    let work = Lock<[[WorkRecord]]>(Array(repeating: [], count: functions))
    let failures = await gpu.run { await perform(on: guests, gpu: gpu, work: work) }
    let records = work.withLock { $0 }
    var outcomes: [Timeline.FunctionOutcome] = []
    for (index, guest) in guests.enumerated() {
      outcomes.append(
        .init(
          vf: index, state: await guest.state, onRunList: gpu.host.isOnRunList(index), failure: failures[index],
          work: Timeline.WorkSummary(records[index])))
    }
    var histories: [[LifeCycleRecord]] = []
    for guest in guests { histories.append(await guest.history) }
    return Timeline(gpu: gpu, histories: histories, work: records, functions: outcomes)
  }

  /// Every step on the VFs it names; the failures, by VF.
  private func perform(on guests: [SimulatedGuest], gpu: SimulatedGPU, work: Lock<[[WorkRecord]]>) async
    -> [Int: ScenarioFailure]
  {
    var failed: [Int: ScenarioFailure] = [:]
    for step in steps {
      let active = guests.indices.filter { index in failed[index] == nil && (step.vf == nil || step.vf == index) }
      let results = await withTaskGroup(of: (Int, ScenarioFailure?).self) { group in
        for index in active {
          group.addTask {
            guard step.action == .work else {
              return (index, await Self.perform(step.action, on: guests[index], index: index, gpu: gpu))
            }
            let (records, failure) = await workload.run(on: guests[index], index: index, gpu: gpu)
            work.withLock { $0[index] += records }
            return (index, failure.map { ScenarioFailure(step: .work, error: $0) })
          }
        }
        return await group.reduce(into: [(Int, ScenarioFailure?)]()) { $0.append($1) }
      }
      for case (let index, let failure?) in results { failed[index] = failure }
      if step.action == .bringUp {
        let resets = active.compactMap { index in
          failed[index] == nil ? resetInRuntime(of: index).map { (index, $0) } : nil
        }
        await playOutHostResets(resets, guests: guests, gpu: gpu)
      }
    }
    return failed
  }

  /// `flr-in-runtime`: the delay after bring-up at which the host resets VF `index`, if it does.
  private func resetInRuntime(of index: Int) -> Duration? {
    for fault in faults where fault.aims(at: index) {
      if case .resetInRuntime(let delay) = fault.kind { return delay }
    }
    return nil
  }

  /// The host resets each VF its delay from now; virtual time runs (2 s at most) until each has
  /// recovered once more or given up.
  private func playOutHostResets(
    _ resets: [(vf: Int, delay: Duration)], guests: [SimulatedGuest], gpu: SimulatedGPU
  ) async {
    guard let latest = resets.map(\.delay).max() else { return }
    var waiting: [(guest: SimulatedGuest, recoveries: Int)] = []
    for (vf, delay) in resets {
      gpu.host.scheduleReset(of: vf, at: gpu.clock.now.offset + delay)
      waiting.append((guests[vf], Self.recoveries(await guests[vf].history)))
    }
    let end = gpu.clock.now.offset + latest + .seconds(2)
    while gpu.clock.now.offset < end {
      var settled = true
      for (guest, recoveries) in waiting {
        let recovered = Self.recoveries(await guest.history) > recoveries
        let failed = await guest.state == .failed
        settled = settled && (recovered || failed)
      }
      if settled { return }
      try? await gpu.clock.sleep(for: .milliseconds(1))
    }
  }

  private static func recoveries(_ history: [LifeCycleRecord]) -> Int {
    history.count { $0.event == .recovered }
  }

  private static func perform(
    _ action: Step.Action, on guest: SimulatedGuest, index: Int, gpu: SimulatedGPU
  ) async -> ScenarioFailure? {
    do {
      switch action {
      case .bringUp: try await guest.bringUp()
      case .read:
        gpu.functions[index].cp.registers.write32(0x5EED_0000 | UInt32(index), at: SCRATCH_REG7.info.offset)
        _ = try await guest.registerAccess().read32(at: SCRATCH_REG7.info.offset)
      case .hang: try await guest.recoverFromHang()
      case .suspendResume:
        try await guest.suspend()
        try await guest.resume()
      case .teardown: await guest.tearDown()
      case .work: preconditionFailure("the workload runs apart")
      }
      return nil
    } catch {
      return ScenarioFailure(step: action, error: error)
    }
  }
}

/// A `VirtualFunction` on a simulated VF.
public typealias SimulatedGuest = VirtualFunction<
  SimulatedVirtualFunction.Registers, SimulatedVirtualFunction.Doorbells, SimulatedGPUMemory, SimulatedClock
>

extension SimulatedGPU {
  /// A guest driver for VF `index`: its BAR 5, doorbells and memory, the simulation's clock, its
  /// tasks on the simulation's executor, its interrupt line connected (every interrupt reaches
  /// it through its IH ring, as on hardware).
  public func guest(for index: Int, configuration: VirtualFunctionConfiguration) -> SimulatedGuest {
    let function = functions[index]
    let guest = SimulatedGuest(
      registers: function.registers, doorbells: function.doorbells, memory: function.memory, clock: clock,
      configuration: configuration, taskExecutor: executor)
    // Weakly: the function holds its interrupt line, and the guest holds the function's buses.
    function.connectInterruptLine { [weak guest] in guest?.interruptAsserted() }
    return guest
  }
}
