import Foundation
import MxGFX80
import MxKIQ
import MxLock
import MxMemory
import MxSimulator
import MxSubmission
import MxVirtualFunction

/// A long run of many VFs on one simulated host under random faults of every kind, in virtual
/// time. Each VF, from a seed of its own, works (the workload's checked CP DMA submissions),
/// reads registers through its KIQ, recovers from hangs it detects, suspends and resumes;
/// meanwhile, at random moments, the host resets VFs, VFs' CPs hang, slow down, report garbage
/// read pointers or write garbage values (faults a reset cures), and the host misbehaves towards
/// a VF for a while in any of `HostFault`'s ways; some VFs see a recoverable host fault
/// throughout. The guest driver reacts as the Linux driver's would: a fence that does not signal
/// is a hang (TDR: `recoverFromHang`), a failed VF is reloaded (teardown, bring-up), and a VF
/// that fails three reloads in a row has its VM rebooted.
///
/// After `duration` the faults stop and the VFs get `settle` to come back; then each must pass a
/// final read and checked submissions. `SoakReport.problems` lists every broken promise: a VF
/// stuck, a submission neither done nor reported lost, a fence still outstanding, wrong bytes, a
/// GPU access outside an allocation, GPU memory or a log that grew. The same seed gives the same
/// report.
public struct Soak: Sendable {
  public var chip: VIChip
  public var functions: Int
  /// Virtual time with work and faults.
  public var duration: Duration
  /// Virtual time after it for every VF to come back.
  public var settle: Duration = .seconds(60)
  public var seed: UInt64
  /// The average time between two injected faults, anywhere on the GPU.
  public var meanFaultInterval: Duration = .seconds(2)
  /// What each work action submits.
  public var workload = Workload(submissions: 4, bytes: 1024)
  /// How much each log keeps: the CPs', the IHs', the host's, each VF's history.
  public var logCapacity = 2_000
  /// CPs broken beyond every reset from the start, by VF (their faults persist across resets;
  /// no other fault is injected into them): what no driver cures, for checking that a soak
  /// reports what it should.
  public var brokenFunctions: [Int: CommandProcessorSimulation.Faults] = [:]

  public init(chip: VIChip, functions: Int = 16, duration: Duration, seed: UInt64 = 0x50A4_2026) {
    self.chip = chip
    self.functions = functions
    self.duration = duration
    self.seed = seed
  }

  public func run() async -> SoakReport {
    var behavior = HostBehavior()
    var random = SplitMix64(seed: seed)
    var hostFaults: [String] = []
    for vf in 0..<functions {
      // Recoverable host faults on about half the VFs: GIM's mismatches a guest must live with.
      switch random.next() % 8 {
      case 0:
        behavior.faultsByFunction[vf] = [.lateAcknowledgement(.milliseconds(Int64(1 + random.next() % 5)))]
        hostFaults.append("late-ack@vf\(vf)")
      case 1:
        behavior.faultsByFunction[vf] = [.ignoreRequests(count: Int(1 + random.next() % 3))]
        hostFaults.append("ignore-requests@vf\(vf)")
      case 2:
        behavior.faultsByFunction[vf] = [.resetAfterGrant(.microseconds(Int64(random.next() % 80)), count: 2)]
        hostFaults.append("reset-after-grant@vf\(vf)")
      case 3:
        let times = (0..<4).map { _ in Duration.milliseconds(Int64(random.next() % UInt64(seconds(duration) * 1000))) }
        behavior.faultsByFunction[vf] = times.map { .spuriousValid(at: $0) }
        hostFaults.append("spurious-valid@vf\(vf)")
      default: break
      }
    }
    let gpu = SimulatedGPU(behavior: behavior, functions: functions, logCapacity: logCapacity)
    let baseline = behavior.faultsByFunction
    for (vf, var faults) in brokenFunctions {
      faults.persistAcrossReset = true
      gpu.functions[vf].cp.setFaults(faults)
    }
    var configuration = VirtualFunctionConfiguration(chip: chip)
    configuration.historyCapacity = logCapacity
    let guests = (0..<functions).map { gpu.guest(for: $0, configuration: configuration) }
    let tally = Lock(SoakReport(hostFaults: hostFaults))
    let end = gpu.clock.now.offset + duration
    var footprints: [Footprint?] = []
    await gpu.run {
      footprints = await withTaskGroup(of: (Int, Footprint?).self) { group in
        for (index, guest) in guests.enumerated() {
          group.addTask {
            (index, await drive(guest, index: index, gpu: gpu, until: end, tally: tally))
          }
        }
        group.addTask {
          await injectFaults(gpu, baseline: baseline, until: end, tally: tally)
          return (-1, nil)
        }
        var footprints = [Footprint?](repeating: nil, count: functions)
        for await (index, footprint) in group where index >= 0 { footprints[index] = footprint }
        return footprints
      }
      for (index, guest) in guests.enumerated() {
        await finalCheck(guest, index: index, gpu: gpu, tally: tally)
      }
    }
    var report = tally.withLock { $0 }
    report.virtualTime = gpu.clock.now.offset
    for (index, guest) in guests.enumerated() {
      let function = gpu.functions[index]
      report.memoryFaults += function.memory.faultCount
      if function.memory.faultCount > 0 {
        report.problems.append("vf\(index): GPU accesses outside every allocation: \(function.memory.faults.prefix(3))")
      }
      let now = Footprint(function.memory)
      if let first = footprints[index], now != first, report.problems.allSatisfy({ !$0.hasPrefix("vf\(index): ") }) {
        report.problems.append("vf\(index): holds \(now) of GPU memory, \(first) after its first bring-up")
      }
      let kept = [
        ("CP log", function.cp.executed.count), ("CP hang log", function.cp.hangRecords.count),
        ("IH log", function.interruptHandler.written.count), ("history", await guest.history.count),
      ]
      for (name, count) in kept where count > max(logCapacity, 64) {
        report.problems.append("vf\(index): its \(name) holds \(count) entries, more than \(logCapacity)")
      }
      report.recoveries += await guest.history.count { $0.event == .recovered }
      report.steps += await guest.historyTotal
      report.packets += function.cp.packetsExecuted
    }
    if gpu.host.log.count > logCapacity { report.problems.append("the host log holds \(gpu.host.log.count) records") }
    report.hostRecords = gpu.host.logTotal
    return report
  }

  /// The GPU memory a VF holds: a VF back in runtime holds what it held after its first
  /// bring-up, however many reloads, recoveries and workloads came between.
  struct Footprint: Equatable, CustomStringConvertible {
    var allocations: Int
    var bytes: Int

    init(_ memory: SimulatedGPUMemory) {
      let live = memory.allocations
      (allocations, bytes) = (live.count, live.reduce(0) { $0 + $1.size })
    }

    var description: String { "\(allocations) allocations (\(bytes) bytes)" }
  }

  private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }

  // MARK: A VF's driver

  /// One VF's life until `end`: bring-up, then random actions; a failed VF is reloaded.
  /// Returns what the VF held after its first bring-up.
  private func drive(
    _ guest: SimulatedGuest, index: Int, gpu: SimulatedGPU, until end: Duration, tally: Lock<SoakReport>
  )
    async -> Footprint?
  {
    var footprint: Footprint?
    var random = SplitMix64(seed: seed &+ UInt64(index + 1) &* 0xA24B_AED4_963E_E407)
    var workload = self.workload
    var failedReloads = 0
    while gpu.clock.now.offset < end {
      guard await towardsRuntime(guest, index: index, gpu: gpu, failedReloads: &failedReloads, tally: tally) else {
        continue
      }
      if footprint == nil { footprint = Footprint(gpu.functions[index].memory) }
      switch random.next() % 20 {
      case 0..<13:
        workload.seed = random.next()
        await work(guest, index: index, gpu: gpu, workload: workload, tally: tally)
      case 13..<17:
        do {
          _ = try await guest.registerAccess().read32(at: SCRATCH_REG7.info.offset)
          tally.withLock { $0.reads += 1 }
        } catch {
          tally.withLock { $0.readsFailed += 1 }
          await recoverFromHang(guest, tally: tally)
        }
      case 17:
        await recoverFromHang(guest, tally: tally)
      case 18:
        tally.withLock { $0.suspends += 1 }
        try? await guest.suspend()
        try? await guest.resume()
      default:
        try? await gpu.clock.sleep(for: .milliseconds(Int64(10 + random.next() % 90)))
      }
      try? await gpu.clock.sleep(for: .microseconds(Int64(random.next() % 20_000)))
    }
    return footprint
  }

  /// A workload run, accounted; a fence that never signals is a hang the driver recovers from
  /// (its job timeout, TDR).
  private func work(
    _ guest: SimulatedGuest, index: Int, gpu: SimulatedGPU, workload: Workload, tally: Lock<SoakReport>
  ) async {
    let (records, failure) = await workload.run(on: guest, index: index, gpu: gpu)
    tally.withLock { report in
      for record in records {
        report.submissions.submitted += record.sequence == nil ? 0 : 1
        switch record.outcome {
        case .checked(let bytes):
          report.submissions.checked += 1
          report.submissions.bytesChecked += bytes
        case .lostToReset: report.submissions.lostToReset += 1
        case .failed: report.submissions.failed += 1
        }
      }
    }
    switch failure {
    case nil, .fence(.lostToReset): break
    case .noRings, .submission, .fence: await recoverFromHang(guest, tally: tally)
    case let failure?:  // wrong bytes, memory run out: no fault's doing
      tally.withLock { $0.problems.append("vf\(index): \(failure)") }
    }
  }

  /// The driver's answer to a job that timed out or a ring that stays down: TDR. Linux only logs
  /// a KIQ read that fails, and recovers at the next job's timeout; this driver, which may not
  /// submit a job soon, recovers at once.
  private func recoverFromHang(_ guest: SimulatedGuest, tally: Lock<SoakReport>) async {
    tally.withLock { $0.hangsDetected += 1 }
    try? await guest.recoverFromHang()
  }

  /// One step towards runtime: a failed or unloaded VF reloaded, a suspended one resumed, a
  /// recovery under way waited on. Whether the VF is in runtime.
  private func towardsRuntime(
    _ guest: SimulatedGuest, index: Int, gpu: SimulatedGPU, failedReloads: inout Int, tally: Lock<SoakReport>
  ) async -> Bool {
    switch await guest.state {
    case .runtime: return true
    case .off, .failed: await reload(guest, index: index, gpu: gpu, failedReloads: &failedReloads, tally: tally)
    case .suspended: try? await guest.resume()
    default: try? await gpu.clock.sleep(for: .milliseconds(5))  // a recovery under way
    }
    return false
  }

  /// A failed VF is unloaded and loaded again, as an OS reloads a driver; after three reloads
  /// that failed in a row the VM reboots instead, its monitor resetting the VF on the way (a CP
  /// fault only a reset cures outlasts a reload: GIM's INIT does not promise to reset the CP).
  private func reload(
    _ guest: SimulatedGuest, index: Int, gpu: SimulatedGPU, failedReloads: inout Int, tally: Lock<SoakReport>
  ) async {
    let failed = await guest.state == .failed
    let why = await guest.history.last { if case .failed = $0.event { true } else { false } }
    let reboot = failedReloads >= 3
    tally.withLock { report in
      report.reloads += failed ? 1 : 0
      report.virtualMachineReboots += reboot ? 1 : 0
      if case .failed(let error)? = why?.event { report.failures["\(error)", default: 0] += 1 }
    }
    await guest.tearDown()
    if reboot { gpu.functions[index].resetByVirtualMachineMonitor() }
    try? await guest.bringUp()
    failedReloads = await guest.state == .runtime ? 0 : (reboot ? 0 : failedReloads) + 1
  }

  // MARK: Faults

  /// What `injectFaults` does, as `SoakReport.faults` names it: a host reset of the VF (GIM's
  /// FLR with notice); its CP hung, slowed, reporting garbage read pointers, or writing garbage
  /// values (fences, read-backs) until a reset; or the host misbehaving towards it for a while,
  /// in any of `HostFault`'s ways (`SoakReport.hostMisbehaviour` counts which).
  public static let faultKinds = [
    "host reset", "CP hang", "CP slow", "CP garbage read pointer", "CP garbage values", "host misbehaves",
  ]

  /// Faults at exponentially distributed intervals, each at a random VF, until `end`; a host's
  /// misbehaviour lasts 0.2 to 3 s, then the VF sees what it saw before.
  private func injectFaults(
    _ gpu: SimulatedGPU, baseline: [Int: [HostFault]], until end: Duration, tally: Lock<SoakReport>
  ) async {
    var random = SplitMix64(seed: seed ^ 0xFA17)
    var restorations: [(time: Duration, vf: Int)] = []
    var next = gpu.clock.now.offset + exponential(&random)
    while next < end || !restorations.isEmpty {
      let due = (restorations.map(\.time) + (next < end ? [next] : [])).min()!
      if due > gpu.clock.now.offset { try? await gpu.clock.sleep(for: due - gpu.clock.now.offset) }
      let now = gpu.clock.now.offset
      for restoration in restorations where restoration.time <= now {
        gpu.host.setFaults(baseline[restoration.vf] ?? [], of: restoration.vf)
      }
      restorations.removeAll { $0.time <= now }
      guard next <= now, next < end else { continue }
      next = now + exponential(&random)
      let vf = Int(random.next() % UInt64(functions))
      guard !restorations.contains(where: { $0.vf == vf }) else { continue }  // one misbehaviour at a time
      let cp = gpu.functions[vf].cp
      var faults = CommandProcessorSimulation.Faults()
      let kind = Self.faultKinds[Int(random.next() % UInt64(Self.faultKinds.count))]
      switch kind {
      case "host reset": gpu.host.scheduleReset(of: vf, at: now)
      case "CP hang": faults.hangAfterPackets = cp.packetsExecuted + Int(1 + random.next() % 400)
      case "CP slow": faults.delay = .milliseconds(Int64(1 + random.next() % 20))
      case "CP garbage read pointer": faults.readPointer = UInt32(truncatingIfNeeded: random.next())
      case "CP garbage values": faults.memoryValue = UInt32(truncatingIfNeeded: random.next())
      default:
        let window = Duration.milliseconds(Int64(200 + random.next() % 2_800))
        let misbehaviour = Self.hostFault(&random, within: now..<now + window)
        gpu.host.setFaults((baseline[vf] ?? []) + [misbehaviour], of: vf)
        restorations.append((now + window, vf))
        let name = String("\(misbehaviour)".prefix { $0 != "(" })
        tally.withLock { $0.hostMisbehaviour[name, default: 0] += 1 }
      }
      if kind.hasPrefix("CP") && brokenFunctions[vf] == nil { cp.setFaults(faults) }
      tally.withLock { $0.faults[kind, default: 0] += 1 }
    }
  }

  /// An exponentially distributed wait with mean `meanFaultInterval`.
  private func exponential(_ random: inout SplitMix64) -> Duration {
    let uniform = (Double(random.next() >> 11) + 1) / Double(1 << 53)
    return meanFaultInterval * -Foundation.log(uniform)
  }

  /// Any of `HostFault`'s kinds, its times inside `window`.
  private static func hostFault(_ random: inout SplitMix64, within window: Range<Duration>) -> HostFault {
    let span = UInt64((window.upperBound - window.lowerBound) / .microseconds(1))
    let within = window.lowerBound + .microseconds(Int64(random.next() % span))
    switch random.next() % 10 {
    case 0: return .noAcknowledgement
    case 1: return .lateAcknowledgement(.milliseconds(Int64(1 + random.next() % 50)))
    case 2: return .noReady
    case 3: return .wrongEvent(UInt32(truncatingIfNeeded: random.next()))
    case 4: return .resetDuringHandshake
    case 5: return .spuriousValid(at: within)
    case 6: return .garbage(UInt32(truncatingIfNeeded: random.next()))
    case 7: return .ignoreRequests(count: Int(1 + random.next() % 3))
    case 8: return .resetAfterGrant(.microseconds(Int64(random.next() % 200)), count: 1)
    default: return .exclusiveTimeout(.milliseconds(Int64(1 + random.next() % 20)))
    }
  }

  // MARK: The end

  /// With the faults over, the VF must come back within `settle` and then read a register and
  /// run a checked submission (a fault the faults left behind — a CP still hung — it may detect
  /// and recover from, as during the soak); its fences must all be settled, no submission of its
  /// last work may fail.
  private func finalCheck(_ guest: SimulatedGuest, index: Int, gpu: SimulatedGPU, tally: Lock<SoakReport>) async {
    let deadline = gpu.clock.now.offset + settle
    var last = workload
    last.submissions = 8
    var problems: [String] = []
    var failedReloads = 0
    repeat {
      problems = []
      guard await towardsRuntime(guest, index: index, gpu: gpu, failedReloads: &failedReloads, tally: tally) else {
        continue
      }
      let (records, failure) = await last.run(on: guest, index: index, gpu: gpu)
      if let failure { problems.append("its last work failed: \(failure)") }
      if records.count != 8 { problems.append("its last work made \(records.count) of 8 submissions") }
      do {
        _ = try await guest.registerAccess().read32(at: SCRATCH_REG7.info.offset)
      } catch {
        problems.append("its last register read failed: \(error)")
      }
      let rings = await guest.computeRings + [await guest.graphicsRing].compactMap { $0 }
      for ring in rings where ring.fences.outstanding != 0 {
        problems.append("\(ring.name) has \(ring.fences.outstanding) fences outstanding")
      }
      if problems.isEmpty { return }
      await recoverFromHang(guest, tally: tally)
    } while gpu.clock.now.offset < deadline
    let state = await guest.state
    if problems.isEmpty { problems = ["stuck \(state)"] }
    tally.withLock { report in
      report.problems += problems.map { "vf\(index): \($0) \(settle) after the faults ended" }
    }
  }
}

/// What a soak did and every promise it found broken.
public struct SoakReport: Codable, Sendable {
  /// Faults injected, by kind (`Soak.faultKinds`); the host's misbehaviours among them, by
  /// `HostFault` case; the host faults some VFs saw throughout.
  public var faults: [String: Int] = [:]
  public var hostMisbehaviour: [String: Int] = [:]
  public var hostFaults: [String]
  /// The workloads' submissions by outcome: every one done and checked, lost to a host reset,
  /// or reported failed.
  public var submissions = Timeline.WorkSummary(submitted: 0, checked: 0, lostToReset: 0, failed: 0, bytesChecked: 0)
  public var reads = 0
  public var readsFailed = 0
  /// Hangs the guests detected themselves (a fence that never signalled, or asked for).
  public var hangsDetected = 0
  public var suspends = 0
  /// Failed VFs unloaded and loaded again, and why they had failed; reloads that rebooted the VM.
  public var reloads = 0
  public var virtualMachineReboots = 0
  public var failures: [String: Int] = [:]
  /// Recoveries still in the VFs' (bounded) histories.
  public var recoveries = 0
  /// Life-cycle steps, host records and packets in all (most no longer kept).
  public var steps = 0
  public var hostRecords = 0
  public var packets = 0
  public var memoryFaults = 0
  public var virtualTime: Duration = .zero
  /// Every broken promise; empty when the soak passed.
  public var problems: [String] = []

  init(hostFaults: [String]) {
    self.hostFaults = hostFaults
  }
}
