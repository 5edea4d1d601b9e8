import MxBIF50
import MxGFX80
import MxKIQ
import MxMMIO
import MxMailbox
import MxOSS30
import MxSimulator
import MxVirtualFunction

/// One VF of several turned hostile while the others bring up and work: after a bring-up of its
/// own it writes random values to its mailbox, CP, HQD and IH registers and its doorbells, and
/// garbage over its rings and the rest of its memory, for `duration` of virtual time, from a
/// fixed seed. The honest VFs meanwhile bring up, read registers through their KIQs and tear
/// down. The same honest work is run once more with the hostile VF silent, and the two runs'
/// honest traces are compared (`Outcome.differences`): what each honest VF did — its life-cycle
/// events, its BAR 5 writes, the packets its CP ran, what the host did for it but the world
/// switches and waits (the slices the hostile VF takes) — must be the same.
///
/// But for how often it had to ask for access: a request that waited behind the hostile VF
/// while the host took the GPU back from it (its 5 s exclusive limit) stays waiting, since GIM
/// runs no mailbox work after that limit and drops the same request sent again (mismatch 5);
/// the honest VF, unanswered, asks again behind a release that runs the host's work. The
/// handshake's messages — the access requests after the first (`HonestTrace.accessRetries`), the
/// mailbox writes that send them, the host's receipts and drops of them — are the cost the host
/// puts on every VF here, not a difference; what the host granted and released is compared.
public struct HostileGuest: Sendable {
  public var chip: VIChip
  /// VFs on the host, the hostile one among them.
  public var functions: Int
  /// Which VF turns hostile.
  public var hostile: Int
  public var seed: UInt64
  /// How long (virtual time) the hostile VF misbehaves.
  public var duration: Duration = .seconds(3)
  /// The longest pause between two of its acts (drawn evenly from 1 µs up).
  public var longestPause: Duration = .microseconds(200)
  /// Register reads through the KIQ each honest VF makes in runtime, `readSpacing` apart.
  public var reads = 20
  public var readSpacing: Duration = .milliseconds(100)

  public init(chip: VIChip, functions: Int = 4, hostile: Int = 1, seed: UInt64) {
    precondition((2...16).contains(functions) && (0..<functions).contains(hostile), "a hostile VF among 2 to 16")
    self.chip = chip
    self.functions = functions
    self.hostile = hostile
    self.seed = seed
  }

  /// What an honest VF did, with the times and the waits taken out.
  public struct HonestTrace: Equatable, Sendable {
    public var events: [LifeCycleEvent]
    /// BAR 5 writes in order (reads are polls, whose number follows the waits).
    public var writes: [BusAccess]
    /// Every packet its CP ran, as dwords.
    public var packets: [[UInt32]]
    /// What the host did for it, but `worldSwitch` and `requestWaiting`.
    public var host: [HostLogEntry]
    /// What went wrong in its work: a failed step, a wrong read, a GPU memory fault.
    public var problems: [String]
    /// Access requests made again after one went unanswered.
    public var accessRetries: Int
  }

  public struct Outcome: Sendable {
    /// The honest VFs' traces with the hostile VF, and without (by VF index; the hostile one
    /// has none).
    public var honest: [Int: HonestTrace]
    public var baseline: [Int: HonestTrace]
    /// Every honest VF whose trace differs from the baseline's, with the first difference.
    public var differences: [String]
    /// The host's resets of the hostile VF, and why: `exclusiveTimeout` or
    /// `worldSwitchFailed(status:)`, each followed by `resetStarted`.
    public var hostileResets: [HostLogEntry]
    /// Whether the hostile VF owns the GPU, or is on the run list with a hung queue, at the end:
    /// what the host should have ended.
    public var hostileLeftRunning: Bool
    /// How many acts the hostile VF made, and what its CP recorded as hangs.
    public var acts: Int
    public var hostileHangs: Int
    /// Virtual time at the end.
    public var end: Duration
  }

  public func run() async -> Outcome {
    let (honest, hostileRun) = await run(hostileActs: true)
    let (baseline, _) = await run(hostileActs: false)
    var differences: [String] = []
    for vf in honest.keys.sorted() {
      guard let other = baseline[vf], let trace = honest[vf] else { continue }
      if let difference = Self.firstDifference(trace, other) { differences.append("vf\(vf): \(difference)") }
    }
    return Outcome(
      honest: honest, baseline: baseline, differences: differences, hostileResets: hostileRun.resets,
      hostileLeftRunning: hostileRun.leftRunning, acts: hostileRun.acts, hostileHangs: hostileRun.hangs,
      end: hostileRun.end)
  }

  private struct HostileRun {
    var resets: [HostLogEntry] = []
    var leftRunning = false
    var acts: Int
    var hangs = 0
    var end: Duration
  }

  private func run(hostileActs: Bool) async -> ([Int: HonestTrace], HostileRun) {
    let gpu = SimulatedGPU(functions: functions, recordsTrace: true)
    let configuration = VirtualFunctionConfiguration(chip: chip)
    let guests = (0..<functions).map { gpu.guest(for: $0, configuration: configuration) }
    // Each honest VF's problems by index, and the hostile VF's acts.
    let (problems, acts) = await gpu.run {
      await withTaskGroup(of: (vf: Int, problems: [String], acts: Int).self) { group in
        for vf in 0..<functions where vf != hostile {
          group.addTask { (vf, await honestWork(guests[vf], vf: vf, gpu: gpu), 0) }
        }
        if hostileActs {
          group.addTask { (hostile, [], await misbehave(guests[hostile], gpu: gpu)) }
        }
        return await group.reduce(into: ([Int: [String]](), 0)) { results, result in
          results.0[result.vf] = result.problems
          results.1 += result.acts
        }
      }
    }
    var traces: [Int: HonestTrace] = [:]
    for vf in 0..<functions where vf != hostile {
      traces[vf] = await trace(of: vf, guest: guests[vf], gpu: gpu, problems: problems[vf] ?? [])
    }
    var hostileRun = HostileRun(acts: acts, end: gpu.clock.now.offset)
    let log = gpu.host.log.filter { $0.vf == hostile }.map(\.entry)
    for (index, entry) in log.enumerated() where index + 1 < log.count && log[index + 1] == .resetStarted {
      let switchFailed =
        switch entry {
        case .worldSwitchFailed: true
        case .gpuIOV(_, _, let outcome): outcome != .done
        default: false
        }
      if entry == .exclusiveTimeout || switchFailed {
        hostileRun.resets.append(entry)
      }
    }
    let cp = gpu.functions[hostile].cp
    hostileRun.hangs = cp.hangCount
    hostileRun.leftRunning =
      gpu.host.owner == hostile || (gpu.host.isOnRunList(hostile) && cp.queues.contains(where: \.hung))
    return (traces, hostileRun)
  }

  /// Bring-up, `reads` reads of a scratch register through the KIQ (each of a value the CP was
  /// given just before), teardown; what went wrong.
  private func honestWork(_ guest: SimulatedGuest, vf: Int, gpu: SimulatedGPU) async -> [String] {
    let cp = gpu.functions[vf].cp
    do {
      try await guest.bringUp()
      let access = try await guest.registerAccess()
      for read in 0..<reads {
        let value = UInt32(vf) << 16 | UInt32(read)
        cp.registers.write32(value, at: SCRATCH_REG7.info.offset)
        let seen = try await access.read32(at: SCRATCH_REG7.info.offset)
        if seen != value { return ["read \(read): 0x\(String(seen, radix: 16)), not 0x\(String(value, radix: 16))"] }
        try await gpu.clock.sleep(for: readSpacing)
      }
    } catch {
      return ["\(error)"]
    }
    await guest.tearDown()
    return []
  }

  /// The hostile VF: a bring-up of its own, then, cut off from its driver (its interrupts go
  /// nowhere), random acts until `duration` has passed; then time for the host to act on what
  /// it left (its 5 s exclusive limit, a world switch). Returns the number of acts.
  private func misbehave(_ guest: SimulatedGuest, gpu: SimulatedGPU) async -> Int {
    try? await guest.bringUp()
    gpu.host.connectInterrupts(of: hostile) { _ in }
    let function = gpu.functions[hostile]
    var random = SplitMix64(seed: seed)
    let end = gpu.clock.now.offset + duration
    var acts = 0
    while gpu.clock.now.offset < end {
      act(on: function, &random)
      acts += 1
      let pause = Int64.random(in: 1...Int64(longestPause / .microseconds(1)), using: &random)
      try? await gpu.clock.sleep(for: .microseconds(pause))
    }
    try? await gpu.clock.sleep(for: .seconds(6))
    return acts
  }

  /// The registers a hostile VF scribbles on: its mailbox, the CP's queue selection and HQD, the
  /// IH ring's.
  static let mailboxRegisters = [
    MAILBOX_MSGBUF_TRN_DW0.info.offset, MAILBOX_MSGBUF_TRN_DW1.info.offset, MAILBOX_MSGBUF_TRN_DW2.info.offset,
    MAILBOX_MSGBUF_TRN_DW3.info.offset, MAILBOX_MSGBUF_RCV_DW0.info.offset, MAILBOX_MSGBUF_RCV_DW1.info.offset,
    MAILBOX_CONTROL.info.offset, MAILBOX_INT_CNTL.info.offset, BIF_IOV_FUNC_IDENTIFIER.info.offset,
  ]
  static let commandProcessorRegisters =
    [SRBM_GFX_CNTL.info.offset] + Array(CP_MQD_BASE_ADDR.info.offset...CP_HQD_EOP_DONES.info.offset)
  static let interruptRegisters = [
    IH_RB_CNTL.info.offset, IH_RB_BASE.info.offset, IH_RB_RPTR.info.offset, IH_RB_WPTR.info.offset,
    IH_RB_WPTR_ADDR_LO.info.offset, IH_CNTL.info.offset, IH_DOORBELL_RPTR.info.offset,
  ]

  /// One random act: a register write, a doorbell, or garbage over part of an allocation (its
  /// rings among them) and the doorbells rung after it.
  private func act(on function: SimulatedVirtualFunction, _ random: inout SplitMix64) {
    let value = Self.value(&random)
    switch Int.random(in: 0..<10, using: &random) {
    case 0..<3: function.registers.write32(value, at: Self.mailboxRegisters.randomElement(using: &random)!)
    case 3..<5: function.registers.write32(value, at: Self.commandProcessorRegisters.randomElement(using: &random)!)
    case 5: function.registers.write32(value, at: Self.interruptRegisters.randomElement(using: &random)!)
    case 6..<8: function.doorbells.write32(value, at: UInt32.random(in: 0..<0x20, using: &random))
    default:
      guard let allocation = function.memory.allocations.randomElement(using: &random) else { return }
      let dwords = allocation.size / 4
      let start = Int.random(in: 0..<dwords, using: &random)
      for index in start..<min(dwords, start + 64) {
        _ = function.memory.write32(Self.value(&random), at: allocation.gpuAddress(atByte: index * 4))
      }
      for doorbell in [0, 0x10, 0x11] as [UInt32] { function.doorbells.write32(value, at: doorbell) }
    }
  }

  /// A value that finds bugs: small numbers (mailbox messages, bits, sizes) a third of the
  /// time, all ones or a single bit sometimes, any 32 bits otherwise.
  private static func value(_ random: inout SplitMix64) -> UInt32 {
    switch Int.random(in: 0..<6, using: &random) {
    case 0, 1: UInt32.random(in: 0...7, using: &random)
    case 2: 1 << UInt32.random(in: 0...31, using: &random)
    case 3: .max
    default: UInt32.random(in: 0 ... .max, using: &random)
    }
  }

  private func trace(of vf: Int, guest: SimulatedGuest, gpu: SimulatedGPU, problems: [String]) async
    -> HonestTrace
  {
    let function = gpu.functions[vf]
    var problems = problems
    if !function.memory.faults.isEmpty { problems.append("GPU memory faults: \(function.memory.faults)") }
    if !function.memory.allocations.isEmpty { problems.append("\(function.memory.allocations.count) allocations left") }
    let events = await guest.history.map(\.event)
    let retries = events.filter { if case .accessRequested(_, let attempt) = $0 { attempt > 1 } else { false } }
    return HonestTrace(
      events: events.filter { !retries.contains($0) },
      writes: function.trace.map(\.access).filter {
        guard case .write(let offset, _) = $0 else { return false }
        return !Self.handshakeRegisters.contains(offset)
      },
      packets: function.cp.executed.map(\.dwords),
      host: gpu.host.log.filter { $0.vf == vf }.map(\.entry).filter { entry in
        switch entry {
        case .requestWaiting, .worldSwitch, .gpuIOV, .received, .droppedRequest, .discardedRelease: false
        default: true
        }
      },
      problems: problems, accessRetries: retries.count)
  }

  /// The registers a VF writes to send a message: the handshake's, compared through what the
  /// host granted and released.
  static let handshakeRegisters: Set<UInt32> = [MAILBOX_MSGBUF_TRN_DW0.info.offset, MAILBOX_CONTROL.info.offset]

  /// Where two traces first part, in words.
  public static func firstDifference(_ trace: HonestTrace, _ baseline: HonestTrace) -> String? {
    func first<T: Equatable>(_ what: String, _ a: [T], _ b: [T]) -> String? {
      guard a != b else { return nil }
      let index = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
      let (x, y) = (index < a.count ? "\(a[index])" : "nothing", index < b.count ? "\(b[index])" : "nothing")
      return "\(what) \(index): \(x), without the hostile VF \(y) (\(a.count) against \(b.count))"
    }
    return first("problem", trace.problems, baseline.problems) ?? first("event", trace.events, baseline.events)
      ?? first("BAR 5 write", trace.writes, baseline.writes) ?? first("packet", trace.packets, baseline.packets)
      ?? first("host action", trace.host, baseline.host)
  }
}
