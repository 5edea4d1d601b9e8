import MxGFX80
import MxLock
import MxMMIO
import MxOSS30
import MxPM4
import MxPM4Packets

/// The GPU's command processor as a VF's driver sees it, for tests: the BAR 5 registers with the
/// HQD registers banked per queue by SRBM_GFX_CNTL, the doorbells of BAR 2, and the MEC queues.
/// A queue becomes active when the driver commits its HQD by MMIO (CP_HQD_ACTIVE ← 1, as for the
/// KIQ) or maps it with MAP_QUEUES from its MQD. A doorbell write makes the CP run that queue's
/// ring up to the written pointer, decoding it with the generated decoder and executing NOP,
/// SET_RESOURCES, MAP_QUEUES, UNMAP_QUEUES, QUERY_STATUS, WRITE_DATA, COPY_DATA and
/// SET_UCONFIG_REG; then it reports the read pointer through writeback memory. Anything else —
/// a packet it does not run, a stream that does not decode, memory outside every allocation —
/// hangs the queue, as it would hang a real CP; the reason is kept in `hangs`.
///
/// On a host (`SimulatedVirtualFunction`), the CP runs only while its VF is switched in: doorbells
/// rung while it is switched out are run at its next time slice. A function-level reset empties
/// the queue table and the registers.
public final class CommandProcessorSimulation: Sendable {
  /// An active queue in the CP's table.
  public struct Queue: Equatable, Sendable {
    public var me, pipe, queue: UInt32
    public var doorbell: UInt32
    /// Ring GPU address and size in dwords.
    public var ringAddress: UInt64
    public var ringDwords: Int
    public var readPointerAddress: UInt64
    public var writePointerAddress: UInt64
    /// Where the MQD came from: MMIO commit (nil) or MAP_QUEUES (its GPU address).
    public var mqdAddress: UInt64?
    /// Dwords consumed, masked.
    public var readPointer: UInt64 = 0
    public var hung = false
  }

  /// Faults to inject.
  public struct Faults: Sendable {
    /// After this many packets (across all queues) the CP hangs: nothing more executes.
    public var hangAfterPackets: Int?
    /// Packet numbers (counted from 0 across all queues) the CP consumes without executing.
    public var droppedPackets: Set<Int> = []
    /// Reported instead of the real read pointer.
    public var readPointer: UInt32?
    /// Written instead of every value a packet writes to memory (fences, copied registers).
    public var memoryValue: UInt32?
    /// How long after a doorbell the CP runs the ring (needs a `scheduler`); immediately when nil.
    public var delay: Duration?
    /// Whether the faults outlast a function-level reset; by default a reset cures them (a hung or
    /// slow CP comes back sane), so recovery can be tested.
    public var persistAcrossReset = false

    public init() {}
  }

  /// One executed (or dropped) packet, for timelines and assertions.
  public struct Executed: Equatable, Sendable {
    /// When, on the scheduler's time line (zero without one).
    public var time: Duration
    public var doorbell: UInt32
    public var packet: Pm4ViPacket
    public var payload: [UInt32]
    /// The packet as it was on the ring.
    public var dwords: [UInt32]
    public var dropped: Bool
  }

  private struct State {
    var registers: [UInt32: UInt32] = [:]
    var selected = (me: UInt32(0), pipe: UInt32(0), queue: UInt32(0))
    var banks: [[UInt32]: [UInt32: UInt32]] = [:]
    var queues: [Queue] = []
    var queueMask: UInt64 = 0
    var packetCount = 0
    var executed: [Executed] = []
    var hangs: [String] = []
    var faults: Faults
    /// Whether the VF's context is on the GPU; doorbells rung while it is not wait here.
    var running = true
    var pendingDoorbells: [(doorbell: UInt32, writePointer: UInt64)] = []

    /// A register as the driver reads it: HQD registers from the selected queue's bank.
    func read(_ offset: UInt32) -> UInt32 {
      guard CommandProcessorSimulation.hqdRange.contains(offset) else { return registers[offset] ?? 0 }
      return banks[[selected.me, selected.pipe, selected.queue]]?[offset] ?? 0
    }
  }

  fileprivate static let hqdRange = CP_MQD_BASE_ADDR.info.offset...CP_HQD_EOP_DONES.info.offset
  private let state: Lock<State>
  public let memory: SimulatedGPUMemory
  /// The virtual time a slow CP (`Faults.delay`) runs on.
  public let scheduler: (any HardwareScheduler)?

  /// - Parameters:
  ///   - memory: the GPU memory the CP reads rings, MQDs and indirect buffers from.
  ///   - scheduler: the time line a slow CP (`Faults.delay`) runs on.
  ///   - faults: what the CP does wrong from the start (hangs, delays), for recovery tests.
  public init(memory: SimulatedGPUMemory, scheduler: (any HardwareScheduler)? = nil, faults: Faults = Faults()) {
    self.memory = memory
    self.scheduler = scheduler
    state = Lock(State(faults: faults))
  }

  /// The VF's BAR 5 as this simulation holds it.
  public var registers: Registers { Registers(simulation: self) }
  /// The VF's doorbell BAR (BAR 2): a write to index i rings doorbell i.
  public var doorbells: Doorbells { Doorbells(simulation: self) }

  /// Active queues, in activation order.
  public var queues: [Queue] { state.withLock { $0.queues } }
  /// The queue mask of the last SET_RESOURCES.
  public var queueMask: UInt64 { state.withLock { $0.queueMask } }
  /// Every packet the CP took off a ring, in order, but the one-dword NOP pads.
  public var executed: [Executed] { state.withLock { $0.executed } }
  /// Why queues hung, in order.
  public var hangs: [String] { state.withLock { $0.hangs } }

  public func setFaults(_ faults: Faults) { state.withLock { $0.faults = faults } }

  /// Whether the CP runs (its VF is switched in).
  public var isRunning: Bool { state.withLock { $0.running } }

  /// World switch: `false` stops the CP (IDLE_GPU + SAVE_GPU_STATE); `true` loads and runs it
  /// again, running the rings whose doorbells were rung meanwhile.
  public func setRunning(_ running: Bool) {
    state.withLock { state in
      state.running = running
      guard running else { return }
      let pending = state.pendingDoorbells
      state.pendingDoorbells.removeAll()
      for (doorbell, writePointer) in pending { ring(doorbell: doorbell, writePointer: writePointer, &state) }
    }
  }

  /// A function-level reset: no queue, no queue mask, every register and HQD bank back to 0,
  /// nothing pending, the faults gone unless they persist. The logs (`executed`, `hangs`) are
  /// kept.
  public func reset() {
    state.withLock { state in
      if !state.faults.persistAcrossReset { state.faults = Faults() }
      state.registers.removeAll()
      state.banks.removeAll()
      state.selected = (0, 0, 0)
      state.queues.removeAll()
      state.queueMask = 0
      state.pendingDoorbells.removeAll()
    }
  }

  // MARK: Registers

  public struct Registers: RegisterBus, Sendable {
    let simulation: CommandProcessorSimulation
    public func read32(at offset: UInt32) -> UInt32 { simulation.state.withLock { $0.read(offset) } }
    public func write32(_ value: UInt32, at offset: UInt32) {
      simulation.state.withLock { simulation.write(value, at: offset, &$0) }
    }
  }

  public struct Doorbells: RegisterBus, Sendable {
    let simulation: CommandProcessorSimulation
    /// Doorbells read back nothing.
    public func read32(at offset: UInt32) -> UInt32 { 0 }
    public func write32(_ value: UInt32, at offset: UInt32) {
      let simulation = simulation
      let delay = simulation.state.withLock { $0.faults.delay }
      guard let delay, let scheduler = simulation.scheduler else {
        return simulation.state.withLock { simulation.doorbell(offset, writePointer: UInt64(value), &$0) }
      }
      scheduler.schedule(after: delay) {
        simulation.state.withLock { simulation.doorbell(offset, writePointer: UInt64(value), &$0) }
      }
    }
  }

  private func write(_ value: UInt32, at offset: UInt32, _ state: inout State) {
    if offset == SRBM_GFX_CNTL.info.offset {
      let selection = RegisterValue<SRBM_GFX_CNTL>(rawValue: value)
      state.selected = (
        UInt32(selection[SRBM_GFX_CNTL.MEID]), UInt32(selection[SRBM_GFX_CNTL.PIPEID]),
        UInt32(selection[SRBM_GFX_CNTL.QUEUEID])
      )
    }
    guard Self.hqdRange.contains(offset) else {
      state.registers[offset] = value
      return
    }
    let key = [state.selected.me, state.selected.pipe, state.selected.queue]
    state.banks[key, default: [:]][offset] = value
    if offset == CP_HQD_ACTIVE.info.offset && value & 1 == 1 {
      let bank = state.banks[key]!
      activate(me: key[0], pipe: key[1], queue: key[2], hqd: { bank[$0] ?? 0 }, mqd: nil, doorbell: nil, &state)
    }
  }

  // MARK: Queues

  /// A queue from its HQD values (`hqd(offset)`), as MMIO committed them or as an MQD holds them.
  private func activate(
    me: UInt32, pipe: UInt32, queue: UInt32, hqd: (UInt32) -> UInt32, mqd: UInt64?, doorbell: UInt32?,
    _ state: inout State
  ) {
    func pair(_ lo: UInt32, _ hi: UInt32) -> UInt64 { UInt64(hqd(hi)) << 32 | UInt64(hqd(lo)) }
    let control = RegisterValue<CP_HQD_PQ_CONTROL>(rawValue: hqd(CP_HQD_PQ_CONTROL.info.offset))
    let doorbellControl = RegisterValue<CP_HQD_PQ_DOORBELL_CONTROL>(
      rawValue: hqd(CP_HQD_PQ_DOORBELL_CONTROL.info.offset))
    // QUEUE_SIZE is 6 bits: 2^(QUEUE_SIZE+1) dwords, up to 2^64. The model takes rings up to
    // 2^20 dwords (4 MiB; the driver's are a few KiB) and brings a larger one up hung, rather
    // than walk or overflow it.
    let sizeLog2 = Int(control[CP_HQD_PQ_CONTROL.QUEUE_SIZE]) + 1
    var entry = Queue(
      me: me, pipe: pipe, queue: queue,
      doorbell: doorbell ?? doorbellControl[CP_HQD_PQ_DOORBELL_CONTROL.DOORBELL_OFFSET],
      ringAddress: pair(CP_HQD_PQ_BASE.info.offset, CP_HQD_PQ_BASE_HI.info.offset) << 8,
      ringDwords: 1 << min(sizeLog2, Self.largestRingLog2),
      readPointerAddress: pair(CP_HQD_PQ_RPTR_REPORT_ADDR.info.offset, CP_HQD_PQ_RPTR_REPORT_ADDR_HI.info.offset),
      writePointerAddress: pair(CP_HQD_PQ_WPTR_POLL_ADDR.info.offset, CP_HQD_PQ_WPTR_POLL_ADDR_HI.info.offset),
      mqdAddress: mqd)
    if sizeLog2 > Self.largestRingLog2 {
      entry.hung = true
      state.hangs.append("queue \(me).\(pipe).\(queue): a ring of 2^\(sizeLog2) dwords (QUEUE_SIZE \(sizeLog2 - 1))")
    }
    state.queues.removeAll { $0.me == me && $0.pipe == pipe && $0.queue == queue }
    state.queues.append(entry)
  }

  static let largestRingLog2 = 20

  /// A doorbell write: the ring runs now, or when the VF is switched in again.
  private func doorbell(_ doorbell: UInt32, writePointer: UInt64, _ state: inout State) {
    guard state.running else {
      state.pendingDoorbells.removeAll { $0.doorbell == doorbell }
      state.pendingDoorbells.append((doorbell, writePointer))
      return
    }
    ring(doorbell: doorbell, writePointer: writePointer, &state)
  }

  private func ring(doorbell: UInt32, writePointer: UInt64, _ state: inout State) {
    guard let index = state.queues.firstIndex(where: { $0.doorbell == doorbell && !$0.hung }) else { return }
    let queue = state.queues[index]
    let mask = UInt64(queue.ringDwords - 1)
    let end = writePointer & mask
    var dwords: [UInt32] = []
    var position = queue.readPointer
    while position != end {
      guard let dword = memory.read32(at: queue.ringAddress + position * 4) else {
        return hang(index, "ring of doorbell \(doorbell) lies outside memory", &state)
      }
      dwords.append(dword)
      position = (position + 1) & mask
    }
    let packets: [DecodedPM4Packet<Pm4ViPacket>]
    do {
      packets = try Pm4ViPacket.decode(dwords)
    } catch {
      return hang(index, "doorbell \(doorbell): \(error)", &state)
    }
    for packet in packets {
      if let limit = state.faults.hangAfterPackets, state.packetCount >= limit {
        return hang(index, "hang injected after \(limit) packets", &state)
      }
      let dropped = state.faults.droppedPackets.contains(state.packetCount)
      state.packetCount += 1
      let payload = Array(dwords[packet.payload])
      // The log leaves out the one-dword NOP pads that fill every ring to 256 dwords.
      if packet.dwordCount > 1 || packet.packet != .NOP(NOP()) {
        state.executed.append(
          Executed(
            time: scheduler?.elapsed ?? .zero, doorbell: doorbell, packet: packet.packet, payload: payload,
            dwords: Array(dwords[packet.index..<packet.index + packet.dwordCount]), dropped: dropped))
      }
      if !dropped, let failure = execute(packet.packet, payload: payload, &state) {
        return hang(index, "doorbell \(doorbell): \(failure)", &state)
      }
      state.queues[index].readPointer = (state.queues[index].readPointer + UInt64(packet.dwordCount)) & mask
    }
    reportReadPointer(index, &state)
  }

  private func reportReadPointer(_ index: Int, _ state: inout State) {
    let queue = state.queues[index]
    let value = state.faults.readPointer ?? UInt32(truncatingIfNeeded: queue.readPointer)
    if !memory.write32(value, at: queue.readPointerAddress) {
      state.queues[index].hung = true
      state.hangs.append("read pointer address of doorbell \(queue.doorbell) lies outside memory")
    }
  }

  private func hang(_ index: Int, _ reason: String, _ state: inout State) {
    state.queues[index].hung = true
    state.hangs.append(reason)
  }

  // MARK: Packets

  /// Runs one packet; a reason when the CP would hang on it.
  private func execute(_ packet: Pm4ViPacket, payload: [UInt32], _ state: inout State) -> String? {
    switch packet {
    case .NOP: return nil
    case .SET_RESOURCES(let p):
      state.queueMask = UInt64(p.QUEUE_MASK_HI) << 32 | UInt64(p.QUEUE_MASK_LO)
      return nil
    case .MAP_QUEUES(let p):
      let mqd = UInt64(p.MQD_ADDR_HI) << 32 | UInt64(p.MQD_ADDR_LO)
      var hqd: [UInt32: UInt32] = [:]
      for offset in Self.hqdRange {
        guard let value = memory.read32(at: mqd + UInt64(128 + offset - Self.hqdRange.lowerBound) * 4) else {
          return "MAP_QUEUES: MQD at 0x\(String(mqd, radix: 16)) lies outside memory"
        }
        hqd[offset] = value
      }
      activate(
        me: p.ME ? 2 : 1, pipe: UInt32(p.PIPE), queue: UInt32(p.QUEUE), hqd: { hqd[$0] ?? 0 }, mqd: mqd,
        doorbell: p.DOORBELL_OFFSET, &state)
      return nil
    case .UNMAP_QUEUES(let p):
      guard case .doorbell(let first) = p.ORDINAL3 else { return "UNMAP_QUEUES by PASID is not run" }
      var doorbells = [first, p.DOORBELL_OFFSET2, p.DOORBELL_OFFSET3]
      if case .doorbell(let second) = p.ORDINAL4 { doorbells.insert(second, at: 1) }
      let unmapped = Set(doorbells.prefix(Int(p.NUM_QUEUES)))
      state.queues.removeAll { unmapped.contains($0.doorbell) && $0.mqdAddress != nil }
      return nil
    case .QUERY_STATUS(let p):
      let address = UInt64(p.ADDR_HI) << 32 | UInt64(p.ADDR_LO)
      return writeMemory([p.DATA_LO, p.DATA_HI], at: address, one: false, &state)
    case .WRITE_DATA(let p):
      if p.DST_SEL == .REGISTER {
        for (index, value) in payload.enumerated() {
          write(value, at: p.DST_ADDR_LO + (p.WR_ONE_ADDR ? 0 : UInt32(index)), &state)
        }
        return nil
      }
      guard p.DST_SEL == .MEMORY_ASYNC || p.DST_SEL == .MEMORY_SYNC || p.DST_SEL == .TC_L2 else {
        return "WRITE_DATA to DST_SEL \(p.DST_SEL.rawValue) is not run"
      }
      return writeMemory(payload, at: UInt64(p.DST_ADDR_HI) << 32 | UInt64(p.DST_ADDR_LO), one: p.WR_ONE_ADDR, &state)
    case .COPY_DATA(let p):
      guard p.SRC_SEL == 0, case .register(let source) = p.SRC_ADDR_LO else {
        return "COPY_DATA from SRC_SEL \(p.SRC_SEL) is not run"
      }
      let value = state.read(source)
      switch (p.DST_ADDR_LO, p.DST_ADDR_HI) {
      case (.register(let destination), _):
        write(value, at: destination, &state)
        return nil
      case (.memory(let low), .memory(let high)):
        return writeMemory([value], at: UInt64(high) << 32 | UInt64(low), one: true, &state)
      default:
        return "COPY_DATA with mixed destination layouts"
      }
    case .SET_UCONFIG_REG(let p):
      for (index, value) in payload.enumerated() {
        write(value, at: 0xC000 + UInt32(p.REG_OFFSET) + UInt32(index), &state)
      }
      return nil
    default:
      return "\(packet) is not run by this CP"
    }
  }

  private func writeMemory(_ values: [UInt32], at address: UInt64, one: Bool, _ state: inout State) -> String? {
    for (index, value) in values.enumerated() {
      let target = address + (one ? 0 : UInt64(index) * 4)
      if !memory.write32(state.faults.memoryValue ?? value, at: target) {
        return "write to GPU address 0x\(String(target, radix: 16)) outside memory"
      }
    }
    return nil
  }
}
