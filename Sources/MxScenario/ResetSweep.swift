import MxBIF50
import MxGFX80
import MxKIQ
import MxMMIO
import MxSimulator
import MxVirtualFunction
import MxVirtualization

/// A host reset swept across one handshake of a VF's life: the handshake is run once without a
/// reset to find when each side writes to the mailbox, then once per arrival time — every
/// `fineStep` within `fineWindow` of each of those writes, every `coarseStep` over the rest —
/// each run on a fresh simulated GPU in exact virtual time, and judged by what a driver needs
/// afterwards (`ResetSweep.Outcome`).
public struct ResetSweep: Sendable {
  /// The handshakes a reset is swept across.
  public enum Handshake: String, CaseIterable, Sendable {
    /// `bringUp()`: REQ_GPU_INIT_ACCESS, the exclusive build, REL_GPU_INIT_ACCESS.
    case bringUp = "bring-up"
    /// `bringUp()` against a host that drops the first request: the request made again.
    case retriedRequest = "retried-request"
    /// `recoverFromHang()` in runtime: REQ_GPU_RESET_ACCESS, the rebuild, the release.
    case hangRecovery = "hang-recovery"
    /// The recovery from a first host reset in runtime; the swept reset is a second one.
    case hostResetRecovery = "host-reset-recovery"
    /// `suspend()`: REQ_GPU_FINI_ACCESS, the queues unmapped, REL_GPU_FINI_ACCESS; then `resume()`.
    case suspend
    /// `resume()` of a suspended VF.
    case resume
    /// `tearDown()`: as suspend, then everything freed.
    case teardown
  }

  public var chip: VIChip
  public var handshake: Handshake
  /// Around each mailbox write the reset arrives every `fineStep` within this distance.
  public var fineWindow: Duration = .microseconds(20)
  public var fineStep: Duration = .microseconds(1)
  /// Between and around the writes, every `coarseStep` — or, across a long handshake (one that
  /// waits out a 12 s timeout), at `coarsePoints` even steps — from `margin` before the
  /// handshake to `margin` after it.
  public var coarseStep: Duration = .microseconds(500)
  public var coarsePoints = 200
  public var margin: Duration = .milliseconds(2)

  public init(chip: VIChip, handshake: Handshake) {
    self.chip = chip
    self.handshake = handshake
  }

  /// When the handshake starts and ends, and when each side wrote to the mailbox during it: the
  /// guest's writes to MAILBOX_CONTROL and TRN_DW0, and the host's messages.
  public struct Reference: Sendable {
    public var start: Duration
    public var end: Duration
    public var messages: [Duration]

    public init(start: Duration, end: Duration, messages: [Duration]) {
      self.start = start
      self.end = end
      self.messages = messages
    }
  }

  /// The handshake without a reset failed: the sweep has nothing to measure against.
  public struct ReferenceFailure: Error, CustomStringConvertible {
    public var handshake: Handshake
    public var error: String
    public var description: String { "\(handshake.rawValue) without a host reset failed: \(error)" }
  }

  /// The handshake without a reset.
  public func reference() async throws(ReferenceFailure) -> Reference {
    let run = Run(sweep: self, recordsTrace: true)
    let (start, end, error) = await run.perform(resetAt: nil)
    if let error { throw ReferenceFailure(handshake: handshake, error: error) }
    let mailbox = [MAILBOX_CONTROL.info.offset, MAILBOX_MSGBUF_TRN_DW0.info.offset]
    var messages = run.gpu.functions[0].trace.compactMap { access -> Duration? in
      guard case .write(let offset, _) = access.access, mailbox.contains(offset) else { return nil }
      return access.time
    }
    messages += run.gpu.host.log.compactMap { if case .sent = $0.entry { $0.time } else { nil } }
    return Reference(start: start, end: end, messages: messages.filter { $0 >= start && $0 <= end }.sorted())
  }

  /// Every arrival time the sweep tries, in order, without repeats.
  public func arrivals(_ reference: Reference) -> [Duration] {
    var times = Set<Duration>()
    let first = max(.zero, reference.start - margin)
    let last = reference.end + margin
    let step = max(coarseStep, (last - first) / coarsePoints)
    var time = first
    while time <= last {
      times.insert(time)
      time += step
    }
    for message in reference.messages {
      var time = max(.zero, message - fineWindow)
      while time <= message + fineWindow {
        times.insert(time)
        time += fineStep
      }
    }
    return times.sorted()
  }

  /// `count` arrival times drawn from `seed` at nanosecond resolution, off the sweep's grid: half
  /// anywhere from `margin` before the handshake to `margin` after it (its first 200 ms, for one
  /// that waits out a timeout), half within 300 µs of one of its messages.
  public func randomArrivals(_ reference: Reference, count: Int, seed: UInt64) -> [Duration] {
    var generator = SplitMix64(seed: seed)
    let first = max(.zero, reference.start - margin)
    let last = min(reference.end, reference.start + .milliseconds(200)) + margin
    let nanoseconds = Duration.nanoseconds(1)
    return (0..<count).map { index in
      if index.isMultiple(of: 2) || reference.messages.isEmpty {
        return .nanoseconds(Int64.random(in: Int64(first / nanoseconds)...Int64(last / nanoseconds), using: &generator))
      }
      let message = reference.messages.randomElement(using: &generator)!
      return max(.zero, message + .nanoseconds(Int64.random(in: -300_000...300_000, using: &generator)))
    }
  }

  /// What one run left behind.
  public struct Outcome: Sendable, CustomStringConvertible {
    /// When the host's reset arrived (FLR_NOTIFICATION), since the simulation started.
    public var resetAt: Duration
    /// What the handshake threw, if anything.
    public var error: String?
    /// What is wrong with the VF afterwards; empty when it is healthy.
    public var problems: [String]
    /// What the guest did, and what the host received and did, to read an unhealthy run by.
    public var history: [LifeCycleRecord]
    public var hostLog: [HostLogRecord]

    public var isHealthy: Bool { problems.isEmpty }

    /// `history` and `hostLog` as one time line, a line each.
    public var timeline: String {
      let lines =
        history.map { (time: $0.time, text: "guest \($0.event)") }
        + hostLog.map { (time: $0.time, text: "host  \($0.entry)") }
      return lines.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
        .map { "\($0.element.time) \($0.element.text)" }.joined(separator: "\n")
    }

    public var description: String {
      let microseconds = resetAt / .microseconds(1)
      return "reset at \(Int(microseconds)) µs: " + problems.joined(separator: "; ")
        + (error.map { " (threw \($0))" } ?? "")
    }
  }

  /// The handshake with the host's reset arriving at `time`.
  public func run(resetAt time: Duration) async -> Outcome {
    let run = Run(sweep: self, recordsTrace: false)
    let (_, _, error) = await run.perform(resetAt: time)
    return Outcome(
      resetAt: time, error: error, problems: await run.problems(), history: await run.guest.history,
      hostLog: run.gpu.host.log)
  }

  /// Every arrival of `arrivals(reference())`: the runs that did not leave the VF healthy.
  public func unhealthy() async throws(ReferenceFailure) -> (runs: Int, unhealthy: [Outcome]) {
    let times = arrivals(try await reference())
    var unhealthy: [Outcome] = []
    for time in times {
      let outcome = await run(resetAt: time)
      if !outcome.isHealthy { unhealthy.append(outcome) }
    }
    return (times.count, unhealthy)
  }
}

extension ResetSweep {
  /// One run: a fresh GPU with one VF, the steps before the handshake, the handshake, and time
  /// enough afterwards for the host's reset and whatever recovery it starts. `run(resetAt:)` is
  /// one of these, perform and judge; use it directly to look at (or tamper with) the GPU and
  /// the guest between the two.
  public final class Run: Sendable {
    public let sweep: ResetSweep
    public let gpu: SimulatedGPU
    public let guest: SimulatedGuest
    /// What the host's reset takes, notice to completion.
    let resetTakes: Duration

    /// A fresh GPU for `sweep`'s handshake; with `recordsTrace`, every BAR 5 access is kept.
    public init(sweep: ResetSweep, recordsTrace: Bool = false) {
      self.sweep = sweep
      var behavior = HostBehavior()
      if sweep.handshake == .retriedRequest { behavior.faults = [.ignoreRequests(count: 1)] }
      resetTakes = behavior.resetNotice + behavior.resetDuration
      gpu = SimulatedGPU(behavior: behavior, recordsTrace: recordsTrace)
      guest = gpu.guest(for: 0, configuration: VirtualFunctionConfiguration(chip: sweep.chip))
    }

    var now: Duration { gpu.clock.now.offset }

    /// The steps before the handshake, the handshake, and time for the host to finish (the reset
    /// and what it starts, with one): when the handshake started and ended, and what failed. The reset is
    /// scheduled first, so that one arriving before the handshake meets the steps before it
    /// (a reset during bring-up before a suspend) or the handshake's start.
    public func perform(resetAt time: Duration?) async -> (start: Duration, end: Duration, error: String?) {
      await gpu.run {
        if let time { gpu.host.scheduleReset(of: 0, at: time) }
        var failures: [String] = []
        do {
          try await prelude()
        } catch {
          failures.append("before \(sweep.handshake.rawValue): \(error)")
        }
        let start = now
        do {
          try await handshake()
        } catch {
          failures.append("\(error)")
        }
        let end = now
        await settle(after: time.map { max(end, $0 + resetTakes) } ?? end)
        if sweep.handshake == .suspend, await guest.state == .suspended {
          do {
            try await guest.resume()
          } catch {
            failures.append("resume: \(error)")
          }
          await settle(after: now)
        }
        return (start, end, failures.isEmpty ? nil : failures.joined(separator: "; "))
      }
    }

    private func prelude() async throws {
      switch sweep.handshake {
      case .bringUp, .retriedRequest: return
      case .hangRecovery, .suspend, .teardown:
        try await guest.bringUp()
      case .resume:
        try await guest.bringUp()
        try await guest.suspend()
      case .hostResetRecovery:
        try await guest.bringUp()
        gpu.host.scheduleReset(of: 0, at: now + .milliseconds(1))
        // Until the VF asks for access again: the recovery's first message.
        while !gpu.host.log.contains(where: { $0.entry == .resetCompleted }) {
          try await gpu.clock.sleep(for: .microseconds(100))
        }
      }
    }

    private func handshake() async throws {
      switch sweep.handshake {
      case .bringUp, .retriedRequest: try await guest.bringUp()
      case .hangRecovery: try await guest.recoverFromHang()
      case .suspend: try await guest.suspend()
      case .resume: try await guest.resume()
      case .teardown: await guest.tearDown()
      case .hostResetRecovery:
        try await waitUntilSettled(limit: .seconds(2))
      }
    }

    /// Lets time run to `time`, then until the VF rests: in runtime, suspended, off or failed,
    /// with no reset under way on either side (2 s at most).
    private func settle(after time: Duration) async {
      try? await gpu.clock.sleep(until: .init(offset: time + .milliseconds(1)), tolerance: nil)
      try? await waitUntilSettled(limit: .seconds(2))
    }

    private func waitUntilSettled(limit: Duration) async throws {
      let end = now + limit
      while now < end {
        let state = await guest.state
        let resetting = await guest.mailbox.state == .resetting
        if [.runtime, .suspended, .off, .failed].contains(state) && !resetting && gpu.host.owner == nil { return }
        try await gpu.clock.sleep(for: .milliseconds(1))
      }
    }

    /// What is wrong with the VF: in runtime (or off, after teardown) with everything the host
    /// and the CP must hold for it, a register read through the KIQ right, nothing outside an
    /// allocation and nothing in VRAM the host's VBIOS load left.
    public func problems() async -> [String] {
      var problems: [String] = []
      let hardware = gpu.functions[0]
      let state = await guest.state
      if let owner = gpu.host.owner { problems.append("VF \(owner) still owns the GPU") }
      if !hardware.memory.faults.isEmpty { problems.append("GPU memory faults: \(hardware.memory.faults)") }
      if sweep.handshake == .teardown {
        if state != .off { problems.append("state \(state), not off") }
        if !hardware.memory.allocations.isEmpty {
          problems.append("\(hardware.memory.allocations.count) allocations not freed")
        }
        if gpu.host.isOnRunList(0) { problems.append("still on the host's run list") }
        return problems
      }
      guard state == .runtime else { return problems + ["state \(state), not runtime"] }
      let mailbox = await guest.mailbox.state
      if mailbox != .runtime { problems.append("mailbox \(mailbox), not runtime") }
      if !gpu.host.isOnRunList(0) { problems.append("not on the host's run list") }
      let queues = hardware.cp.queues.filter { !$0.hung }.count
      let expected = 1 + ComputeTopology.defaultComputeRings + 1  // the KIQ, the compute rings, the GFX ring
      if queues != expected { problems.append("\(queues) of \(expected) queues on the CP") }
      // A VF that lost its queues or its slices cannot answer; the read would only time out.
      guard problems.isEmpty else { return problems }
      let probe: UInt32 = 0x5EE9_0001
      hardware.cp.registers.write32(probe, at: SCRATCH_REG7.info.offset)
      do {
        let read = try await gpu.run { try await guest.registerAccess().read32(at: SCRATCH_REG7.info.offset) }
        if read != probe { problems.append("KIQ read 0x\(String(read, radix: 16)), not 0x\(String(probe, radix: 16))") }
      } catch {
        problems.append("KIQ read failed: \(error)")
      }
      for allocation in hardware.memory.allocations where allocation.domain == .vram {
        if allocation.cpu.bindMemory(to: UInt32.self).contains(SimulatedVirtualFunction.vbiosPattern) {
          problems.append("VRAM at 0x\(String(allocation.gpuAddress, radix: 16)) still holds the VBIOS image")
        }
      }
      return problems
    }
  }
}
