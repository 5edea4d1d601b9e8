import Foundation
import MxInterruptSources
import MxMMIO
import MxMailbox
import MxSimulator
import MxVirtualFunction

/// What happened in a scenario, merged into one time line: each VF's life-cycle steps, the
/// host's actions, every BAR 5 access, every packet a CP ran (decoded with the generated
/// decoder), every IV entry the IH wrote, and every submission of the workload with its fence.
/// At one instant the order is MMIO, ring packets, interrupts, host, life cycle, work; within a
/// source it is the order things happened.
public struct Timeline: Sendable {
  public enum Source: String, Codable, Sendable, CaseIterable {
    case mmio, ring, irq, host, life, work
  }

  public struct Entry: Codable, Equatable, Sendable {
    /// Virtual time since the start, in nanoseconds.
    public var time: Int64
    public var vf: Int
    public var source: Source
    public var text: String
  }

  /// Where each VF ended.
  public struct FunctionOutcome: Sendable {
    public var vf: Int
    /// The VF's state after the last step.
    public var state: LifeCycleState
    /// Whether the host has the VF on its run list at the end.
    public var onRunList: Bool
    /// The step that failed, if one did (the VF took no step after it).
    public var failure: ScenarioFailure?
    /// What became of its workload's submissions.
    public var work: WorkSummary
  }

  /// A VF's submissions, counted by outcome.
  public struct WorkSummary: Codable, Equatable, Sendable {
    public var submitted = 0
    public var checked = 0
    public var lostToReset = 0
    public var failed = 0
    /// Bytes the checked submissions wrote, all compared.
    public var bytesChecked = 0

    public init(submitted: Int, checked: Int, lostToReset: Int, failed: Int, bytesChecked: Int) {
      (self.submitted, self.checked, self.lostToReset, self.failed, self.bytesChecked) =
        (submitted, checked, lostToReset, failed, bytesChecked)
    }

    init(_ records: [WorkRecord]) {
      submitted = records.count { $0.sequence != nil }
      for record in records {
        switch record.outcome {
        case .checked(let bytes):
          checked += 1
          bytesChecked += bytes
        case .lostToReset: lostToReset += 1
        case .failed: failed += 1
        }
      }
    }
  }

  /// Every VF, in order.
  public let functions: [FunctionOutcome]
  /// The VFs whose steps failed, and why.
  public var failures: [Int: ScenarioFailure] {
    Dictionary(uniqueKeysWithValues: functions.compactMap { outcome in outcome.failure.map { (outcome.vf, $0) } })
  }
  /// The entries, without register names (see `entries(naming:)`).
  public let hostLog: [HostLogRecord]
  private let histories: [[LifeCycleRecord]]
  private let traces: [[SimulatedVirtualFunction.TimedAccess]]
  private let packets: [[CommandProcessorSimulation.Executed]]
  private let interrupts: [[InterruptHandlerSimulation.Written]]
  private let hangs: [[CommandProcessorSimulation.Hang]]
  private let preemptions: [[CommandProcessorSimulation.Preemption]]
  /// Each VF's workload submissions, in order.
  public let work: [[WorkRecord]]
  /// Virtual time at the end.
  public let end: Duration
  /// Each VF's rings at the end, as debugfs would show them.
  public let rings: [[CommandProcessorSimulation.RingImage]]
  /// Each VF's GPU memory at the end (what the rings' indirect buffers point into).
  public let memories: [SimulatedGPUMemory]

  init(gpu: SimulatedGPU, histories: [[LifeCycleRecord]], work: [[WorkRecord]], functions: [FunctionOutcome]) {
    self.functions = functions
    self.histories = histories
    self.work = work
    hostLog = gpu.host.log
    traces = gpu.functions.map(\.trace)
    packets = gpu.functions.map(\.cp.executed)
    interrupts = gpu.functions.map(\.interruptHandler.written)
    hangs = gpu.functions.map(\.cp.hangRecords)
    preemptions = gpu.functions.map(\.cp.preemptions)
    end = gpu.clock.now.offset
    rings = gpu.functions.map(\.cp.rings)
    memories = gpu.functions.map(\.memory)
  }

  /// How registers and packets are shown: a register's name by dword offset, a packet's text
  /// from its dwords (the disassembler's, with the spec's field names), where known.
  public struct Naming {
    public var register: (UInt32) -> String?
    public var packet: ([UInt32]) -> String?

    public init(
      register: @escaping (UInt32) -> String? = { _ in nil }, packet: @escaping ([UInt32]) -> String? = { _ in nil }
    ) {
      self.register = register
      self.packet = packet
    }
  }

  /// Every entry in order.
  public func entries(naming: Naming = Naming(), sources: Set<Source> = Set(Source.allCases)) -> [Entry] {
    let name = naming.register
    var entries: [(rank: Int, sequence: Int, entry: Entry)] = []
    func add(_ time: Duration, _ vf: Int, _ source: Source, _ text: String) {
      guard sources.contains(source) else { return }
      let rank = Source.allCases.firstIndex(of: source)!
      entries.append((rank, entries.count, Entry(time: Self.nanoseconds(time), vf: vf, source: source, text: text)))
    }
    for (vf, trace) in traces.enumerated() {
      for access in trace {
        switch access.access {
        case .read(let offset, let value):
          add(access.time, vf, .mmio, "R \(Self.register(offset, name)) → \(Self.hex(value))")
        case .write(let offset, let value):
          add(access.time, vf, .mmio, "W \(Self.register(offset, name)) ← \(Self.hex(value))")
        }
      }
    }
    for (vf, executed) in packets.enumerated() {
      for packet in executed {
        let text = naming.packet(packet.dwords) ?? Self.plain(packet.packet)
        add(packet.time, vf, .ring, "doorbell \(packet.doorbell): \(text)\(packet.dropped ? " (dropped)" : "")")
      }
    }
    for (vf, records) in hangs.enumerated() {
      for hang in records { add(hang.time, vf, .ring, "queue hung: \(hang.reason)") }
    }
    for (vf, records) in preemptions.enumerated() {
      for preemption in records { add(preemption.time, vf, .ring, Self.describe(preemption)) }
    }
    for (vf, written) in interrupts.enumerated() {
      for entry in written { add(entry.time, vf, .irq, Self.describe(entry)) }
    }
    for record in hostLog { add(record.time, record.vf, .host, Self.describe(record.entry)) }
    for (vf, records) in work.enumerated() {
      for record in records {
        let sequence = record.sequence.map { "fence \($0)" } ?? "no fence"
        add(record.submitted, vf, .work, "submitted on \(record.ring): \(sequence)")
        if let ended = record.ended {
          add(ended, vf, .work, "\(record.ring) \(sequence): \(Self.describe(record.outcome))")
        }
      }
    }
    for (vf, history) in histories.enumerated() {
      for record in history { add(record.time, vf, .life, Self.describe(record.event)) }
    }
    return entries.sorted { ($0.entry.time, $0.rank, $0.sequence) < ($1.entry.time, $1.rank, $1.sequence) }.map(\.entry)
  }

  /// One line per entry: time, VF, source, text.
  public func text(naming: Naming = Naming(), sources: Set<Source> = Set(Source.allCases)) -> String {
    var lines = entries(naming: naming, sources: sources).map { entry in
      "\(Self.seconds(entry.time))  vf\(entry.vf)  \(entry.source.rawValue.padding(4))  \(entry.text)"
    }
    for outcome in functions {
      if let failure = outcome.failure { lines.append("FAILED vf\(outcome.vf): \(failure.step): \(failure.error)") }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  // MARK: Formatting

  /// A value as Swift prints it, without module names.
  static func plain(_ value: Any) -> String {
    var text = String(describing: value)
    for module in ["MxPM4Packets.", "MxVirtualization.", "MxVirtualFunction.", "MxKIQ.", "MxCSA.", "MxMailbox."] {
      text = text.replacingOccurrences(of: module, with: "")
    }
    return text
  }

  static func nanoseconds(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
  }

  /// `12.345678 s`, microsecond resolution, aligned.
  static func seconds(_ nanoseconds: Int64) -> String {
    let micro = nanoseconds / 1000
    let fraction = String(micro % 1_000_000)
    let whole = String(micro / 1_000_000)
    return String(repeating: " ", count: max(0, 4 - whole.count)) + whole + "."
      + String(repeating: "0", count: 6 - fraction.count) + fraction + " s"
  }

  static func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
  }

  static func register(_ offset: UInt32, _ name: (UInt32) -> String?) -> String {
    let hex = String(offset, radix: 16, uppercase: true)
    return name(offset).map { "\($0) (0x\(hex))" } ?? "0x\(hex)"
  }

  static func describe(_ entry: HostLogEntry) -> String {
    switch entry {
    case .received(let message): "received \(XgpuViRequest(rawValue: message).map { "\($0)" } ?? "message \(message)")"
    case .sent(let message, let setValid):
      "sent \(XgpuViEvent(rawValue: message).map { "\($0)" } ?? "message \(message)")\(setValid ? "" : " (RCV_MSG_VALID not set)")"
    case .droppedRequest(let message):
      "dropped \(XgpuViRequest(rawValue: message).map { "\($0)" } ?? "message \(message)")"
    case .requestWaiting(let message):
      "\(XgpuViRequest(rawValue: message).map { "\($0)" } ?? "message \(message)") waits: the GPU is owned"
    case .removedFromRunList(let reason): "removed from the run list: \(reason)"
    case .gpuIOV(let command, let duration, let outcome):
      switch outcome {
      case .done: "\(command.name) done in \(microseconds(duration))"
      case .hang(let status): "\(command.name) FAILED, status \(hex(UInt32(status))) after \(microseconds(duration))"
      case .timedOut: "\(command.name) FAILED, not done in \(microseconds(duration))"
      }
    case .worldSwitch: "on the GPU (world switch)"
    default: plain(entry)
    }
  }

  /// `12 µs`, `2000000 µs`: a command's time.
  static func microseconds(_ duration: Duration) -> String { "\(nanoseconds(duration) / 1000) µs" }

  static func describe(_ preemption: CommandProcessorSimulation.Preemption) -> String {
    let ring = "\(preemption.ringDwordsLeft) ring dwords left"
    guard let buffer = preemption.indirectBuffer else {
      return "doorbell \(preemption.doorbell): preempted between ring packets, \(ring)"
    }
    let address = "0x" + String(buffer.address, radix: 16, uppercase: true)
    return "doorbell \(preemption.doorbell): preempted inside IB \(address) at dword \(buffer.offset) of "
      + "\(buffer.dwords)\(buffer.preemptible ? " (PRE_ENB)" : ""), \(ring)"
  }

  static func describe(_ entry: InterruptHandlerSimulation.Written) -> String {
    let interrupt = entry.interrupt
    let source =
      Vislands30InterruptSource.all.first { $0.source.sourceID == interrupt.sourceID && $0.source.extendedID == nil }
      .map(\.name) ?? "source \(interrupt.sourceID)"
    var text = "IV \(source) at 0x\(String(entry.offset, radix: 16))"
    if interrupt.sourceID == Vislands30InterruptSource.CP_END_OF_PIPE.sourceID {
      let ring = interrupt.ringID
      text += " (ME \((ring >> 2) & 3), pipe \(ring & 3), queue \((ring >> 4) & 7))"
    }
    return entry.overflowed ? text + ", ring overflowed" : text
  }

  static func describe(_ outcome: WorkRecord.Outcome) -> String {
    switch outcome {
    case .checked(let bytes): "signalled, \(bytes) bytes checked"
    case .lostToReset: "lost to a host reset"
    case .failed(let reason): "FAILED: \(reason)"
    }
  }

  static func describe(_ event: LifeCycleEvent) -> String {
    switch event {
    case .detected(let identity, let chip): "detected: \(chip) VF (BIF_IOV_FUNC_IDENTIFIER \(hex(identity.rawValue)))"
    case .accessReleased(let phase, let held):
      "released \(phase) access, held \(seconds(nanoseconds(held)).trimmingCharacters(in: .whitespaces))"
    case .contextSaveAreaReady(let address, let layout):
      "CSA at \(hex(UInt32(address >> 32)))_\(hex(UInt32(truncatingIfNeeded: address)).dropFirst(2)), \(layout) metadata"
    case .computeQueuesMapped(let count, let mask):
      "\(count) compute queues mapped, queue mask 0x\(String(mask, radix: 16))"
    default: plain(event)
    }
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
