import MxGFX80
import MxLock
import MxMMIO
import MxOSS30
import MxPM4Packets

/// The GPU's command processor as a VF's driver sees it, for tests: the BAR 5 registers with the
/// HQD registers banked per queue by SRBM_GFX_CNTL, the doorbells of BAR 2, the MEC queues and
/// the GFX ring. A MEC queue becomes active when the driver commits its HQD by MMIO
/// (CP_HQD_ACTIVE ← 1, as for the KIQ) or maps it with MAP_QUEUES from its MQD; the GFX ring when
/// CP_ME_CNTL un-halts the ME and PFP (`CommandProcessorSimulation+Graphics.swift`). A doorbell write gives the queue its new write
/// pointer, and the CP runs the ring up to it, packet by packet, decoding each with the
/// generated decoder: the KIQ's packets, indirect buffers fetched from GPU memory, fences with
/// RELEASE_MEM and EVENT_WRITE_EOP (and their end-of-pipe interrupts), WAIT_REG_MEM (the queue
/// blocks until the condition holds, polled on the scheduler's time line), CP DMA, register and
/// memory writes and copies (`CommandProcessorSimulation+Packets.swift` says what each does). It
/// reports the read pointer through writeback memory after every run.
///
/// Anything else — a packet it does not run, a stream that does not decode, memory outside every
/// allocation — hangs that queue, as it would hang a real CP, with the reason in `hangs`; the
/// process never stops. What the CP does not model (shaders, caches, GPUVM translation: every
/// address is a GPU physical address, whatever the VMID) it refuses rather than pretends.
///
/// On a host (`SimulatedVirtualFunction`), the CP runs only while its VF is switched in: queues
/// whose doorbells are rung, or whose waits come due, while it is switched out run at its next
/// time slice, from where they stopped. A function-level reset empties the queue table and the
/// registers: work in flight is lost, as on hardware.
public final class CommandProcessorSimulation: Sendable {
  /// An active queue in the CP's table.
  public struct Queue: Equatable, Sendable {
    /// ME 0 is the graphics ME (the GFX ring, pipe 0 queue 0); MEC queues are on ME 1 and 2.
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
    /// The write pointer the queue's doorbell last carried, masked: the CP runs the ring up to it.
    public var writePointer: UInt64 = 0
    /// The indirect buffer the queue is running, if it is in one.
    public var indirectBuffer: IndirectBufferPosition?
    /// What the queue is blocked on (a WAIT_REG_MEM whose condition does not hold yet).
    public var waitingFor: String?
    public var hung = false
    /// Unmapped or stopped while queues were running: it runs no more and leaves the table once
    /// the run is over (a run holds queues by index, so the table only grows while one is on).
    var retired = false
    /// Whether a poll of the wait is scheduled, and the delay of the last one.
    var pollPending = false
    var lastPoll: Duration?

    /// Which queue of the CP this is.
    var slot: Slot { Slot(me: me, pipe: pipe, queue: queue) }
  }

  /// A queue's place in the CP: micro engine, pipe, queue.
  struct Slot: Hashable {
    var me, pipe, queue: UInt32
  }

  /// Where a queue is in an indirect buffer.
  public struct IndirectBufferPosition: Equatable, Sendable {
    public var address: UInt64
    public var dwords: Int
    /// Dwords of it already run.
    public var offset: Int
    public var vmid: UInt32
    /// Whether IDLE_GPU may stop the queue inside it: a GFX IB with PRE_ENB, and every IB of a
    /// compute queue (the model: the MEC is preempted at any packet boundary). Without it the
    /// queue runs to the buffer's end first.
    public var preemptible = true
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
    /// The packet as it was on the ring or in the indirect buffer.
    public var dwords: [UInt32]
    public var dropped: Bool
    /// Whether it came from an indirect buffer rather than the ring.
    public var indirect: Bool = false
    /// Whether the constant engine ran it (from a buffer INDIRECT_BUFFER_CONST handed over).
    public var constantEngine: Bool = false
  }

  /// Why and when a queue hung.
  public struct Hang: Equatable, Sendable {
    public var time: Duration
    public var doorbell: UInt32?
    public var reason: String
  }

  /// Registers another model holds (the host's mailbox, the IH), reached by packets that read or
  /// write registers as BAR 5 reaches them.
  public struct ExternalRegisters: Sendable {
    public var claims: @Sendable (UInt32) -> Bool
    public var bus: any RegisterBus & Sendable

    public init(claims: @escaping @Sendable (UInt32) -> Bool, bus: any RegisterBus & Sendable) {
      self.claims = claims
      self.bus = bus
    }
  }

  struct State {
    var registers: [UInt32: UInt32] = [:]
    var selected = (me: UInt32(0), pipe: UInt32(0), queue: UInt32(0))
    var banks: [[UInt32]: [UInt32: UInt32]] = [:]
    var queues: [Queue] = []
    var queueMask: UInt64 = 0
    var packetCount = 0
    var log: BoundedLog<Executed>
    var hangs: BoundedLog<Hang>
    var preemptions: BoundedLog<Preemption>
    var pace = Pace()
    var graphics = GraphicsState()
    var faults: Faults
    /// Whether the VF's context is on the GPU; work that comes while it is not waits.
    var running = true
    /// IDLE_GPU came: only a queue inside a non-preemptible indirect buffer goes on, to its end;
    /// then the CP is idle (`CommandProcessorSimulation+WorldSwitch.swift`).
    var idling = false
    /// The CP became idle under the lock; the host is told once the lock is let go.
    var becameIdle = false
    /// SAVE_GPU_STATE took the queues' progress away; only LOAD_GPU_STATE gives it back.
    var contextSaved = false
    var external: ExternalRegisters?
    /// Reused buffers for what a run reads from memory: no allocation per packet.
    var ringScratch: [UInt32] = []
    var bufferScratch: [UInt32] = []
    /// Raised by packets; delivered to the interrupt handler once the lock is let go. The two
    /// buffers take turns, so that delivering allocates nothing.
    var interrupts: [SimulatedInterrupt] = []
    var spareInterrupts: [SimulatedInterrupt] = []
    /// Set by every packet that writes a register or memory: blocked queues look again.
    var wroteSomething = false
    /// Bumped by a reset, so that a poll scheduled before it does nothing after.
    var generation = 0

    /// Whether queue `index` may run now: the VF is switched in and, while IDLE_GPU waits for a
    /// preemption point, the queue is inside a non-preemptible indirect buffer.
    func mayRun(_ index: Int) -> Bool {
      running && (!idling || queues[index].indirectBuffer?.preemptible == false)
    }

    /// A register as the driver reads it: HQD registers from the selected queue's bank.
    func read(_ offset: UInt32) -> UInt32 {
      if let external, external.claims(offset) { return external.bus.read32(at: offset) }
      guard CommandProcessorSimulation.hqdRange.contains(offset) else { return registers[offset] ?? 0 }
      return banks[[selected.me, selected.pipe, selected.queue]]?[offset] ?? 0
    }
  }

  static let hqdRange = CP_MQD_BASE_ADDR.info.offset...CP_HQD_EOP_DONES.info.offset
  let state: Lock<State>
  private let interruptSink = Lock<Connection<SimulatedInterrupt>?>(nil)
  let idleSink = Lock<Connection<Void>?>(nil)
  public let memory: SimulatedGPUMemory
  /// The time line a slow CP (`Faults.delay`) and WAIT_REG_MEM polls run on.
  public let scheduler: (any HardwareScheduler)?

  /// - Parameters:
  ///   - memory: the GPU memory the CP reads rings, MQDs and indirect buffers from.
  ///   - scheduler: the time line a slow CP (`Faults.delay`) and blocked waits run on.
  ///   - faults: what the CP does wrong from the start (hangs, delays), for recovery tests.
  ///   - logCapacity: how many executed packets `executed` keeps (the newest); 0 keeps none,
  ///     for benchmarks and long runs. `hangRecords` keeps as many, and at least the newest 64.
  public init(
    memory: SimulatedGPUMemory, scheduler: (any HardwareScheduler)? = nil, faults: Faults = Faults(),
    logCapacity: Int = 100_000
  ) {
    self.memory = memory
    self.scheduler = scheduler
    state = Lock(
      State(
        log: BoundedLog(capacity: logCapacity), hangs: BoundedLog(capacity: max(logCapacity, 64)),
        preemptions: BoundedLog(capacity: max(logCapacity, 64)), faults: faults))
  }

  /// The VF's BAR 5 as this simulation holds it.
  public var registers: Registers { Registers(simulation: self) }
  /// The VF's doorbell BAR (BAR 2): a write to index i rings doorbell i.
  public var doorbells: Doorbells { Doorbells(simulation: self) }

  /// Active queues, in activation order.
  public var queues: [Queue] { state.withLock { $0.queues } }
  /// The queue mask of the last SET_RESOURCES.
  public var queueMask: UInt64 { state.withLock { $0.queueMask } }
  /// The newest packets the CP took off a ring or out of an indirect buffer, in order, but the
  /// one-dword NOP pads (at most the log's capacity).
  public var executed: [Executed] { state.withLock { $0.log.entries } }
  /// Packets taken so far, the NOP pads and the ones the log no longer holds included.
  public var packetsExecuted: Int { state.withLock { $0.packetCount } }
  /// Why queues hung, in order (the newest ones).
  public var hangs: [String] { state.withLock { $0.hangs.entries.map(\.reason) } }
  /// Why and when queues hung, in order (the newest ones).
  public var hangRecords: [Hang] { state.withLock { $0.hangs.entries } }
  /// How many times a queue hung in all.
  public var hangCount: Int { state.withLock { $0.hangs.total } }

  public func setFaults(_ faults: Faults) { state.withLock { $0.faults = faults } }

  /// Where the CP's interrupts (end of pipe) go: the VF's interrupt handler.
  public func connectInterrupts(_ sink: @escaping @Sendable (SimulatedInterrupt) -> Void) {
    interruptSink.withLock { $0 = Connection(call: sink) }
  }

  /// The registers other models hold, as packets reach them.
  public func connectExternalRegisters(_ external: ExternalRegisters) {
    state.withLock { $0.external = external }
  }

  /// Whether the CP runs (its VF is switched in).
  public var isRunning: Bool { state.withLock { $0.running } }

  /// World switch: `false` stops the CP (IDLE_GPU + SAVE_GPU_STATE) between packets, every queue
  /// keeping where it was; `true` loads and runs it again, every queue with work going on from
  /// there.
  public func setRunning(_ running: Bool) {
    update { state in
      state.running = running
      state.idling = false
      guard running else { return }
      if state.contextSaved {
        // What the queues would run from is in the host's hardware CSA, not here.
        for index in state.queues.indices where !state.queues[index].retired {
          hang(index, "RUN_GPU after SAVE_GPU_STATE without LOAD_GPU_STATE: the queue's progress is not loaded", &state)
        }
        return
      }
      runEveryQueue(&state)
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
      state.graphics = GraphicsState()
      state.interrupts.removeAll()
      state.idling = false
      state.contextSaved = false
      (state.pace.budget, state.pace.periodPending) = (0, false)
      state.generation += 1
    }
  }

  /// Runs `body` under the lock, then hands the interrupts it raised to the interrupt handler
  /// outside it (the handler may call back into the VF's models).
  func update(_ body: (inout State) -> Void) {
    var becameIdle = false
    var raised = state.withLock { state -> [SimulatedInterrupt] in
      body(&state)
      if state.queues.contains(where: \.retired) { state.queues.removeAll(where: \.retired) }
      if state.idling { settleIdle(&state) }
      swap(&becameIdle, &state.becameIdle)
      guard !state.interrupts.isEmpty else { return [] }
      var raised = state.spareInterrupts
      swap(&raised, &state.interrupts)
      return raised
    }
    if becameIdle, let sink = idleSink.withLock({ $0 }) { sink.call(()) }
    guard !raised.isEmpty else { return }
    if let sink = interruptSink.withLock({ $0 }) {
      for interrupt in raised { sink.call(interrupt) }
    }
    raised.removeAll(keepingCapacity: true)
    state.withLock { $0.spareInterrupts = raised }
  }

  // MARK: Registers

  public struct Registers: RegisterBus, Sendable {
    let simulation: CommandProcessorSimulation
    public func read32(at offset: UInt32) -> UInt32 { simulation.state.withLock { $0.read(offset) } }
    public func write32(_ value: UInt32, at offset: UInt32) {
      simulation.update { simulation.write(value, at: offset, &$0) }
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
        return simulation.update { simulation.doorbell(offset, writePointer: UInt64(value), &$0) }
      }
      // A reset before the slow CP gets to it drops the doorbell, as it drops everything else.
      let generation = simulation.state.withLock { $0.generation }
      scheduler.schedule(after: delay) {
        simulation.update { state in
          guard state.generation == generation else { return }
          simulation.doorbell(offset, writePointer: UInt64(value), &state)
        }
      }
    }
  }

  func write(_ value: UInt32, at offset: UInt32, _ state: inout State) {
    if let external = state.external, external.claims(offset) {
      return external.bus.write32(value, at: offset)
    }
    if offset == SRBM_GFX_CNTL.info.offset {
      let selection = RegisterValue<SRBM_GFX_CNTL>(rawValue: value)
      state.selected = (
        UInt32(selection[SRBM_GFX_CNTL.MEID]), UInt32(selection[SRBM_GFX_CNTL.PIPEID]),
        UInt32(selection[SRBM_GFX_CNTL.QUEUEID])
      )
    }
    guard Self.hqdRange.contains(offset) else {
      state.registers[offset] = value
      hardwareResponse(toWriteAt: offset, value, &state)
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
  func activate(
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
      state.hangs.append(
        Hang(
          time: now, doorbell: entry.doorbell,
          reason: "queue \(me).\(pipe).\(queue): a ring of 2^\(sizeLog2) dwords (QUEUE_SIZE \(sizeLog2 - 1))"))
    }
    install(entry, &state)
  }

  /// Puts `entry` in the table: in place of the live queue of its slot, or after the others.
  /// Nothing moves, so that the indices a run holds stay right.
  func install(_ entry: Queue, _ state: inout State) {
    if let index = state.queues.firstIndex(where: { $0.slot == entry.slot && !$0.retired }) {
      state.queues[index] = entry
    } else {
      state.queues.append(entry)
    }
  }

  /// Takes the queues `predicate` picks out of service (`Queue.retired`).
  func retire(where predicate: (Queue) -> Bool, _ state: inout State) {
    for index in state.queues.indices where predicate(state.queues[index]) { state.queues[index].retired = true }
  }

  static let largestRingLog2 = 20

  /// A doorbell write: the queue's new write pointer; it runs now, or when the VF is switched in.
  private func doorbell(_ doorbell: UInt32, writePointer: UInt64, _ state: inout State) {
    guard let index = state.queues.firstIndex(where: { $0.doorbell == doorbell && !$0.hung && !$0.retired }) else {
      return
    }
    state.queues[index].writePointer = writePointer & UInt64(state.queues[index].ringDwords - 1)
    guard state.mayRun(index) else { return }
    run(index, report: true, &state)
    runBlockedQueuesAfterWrites(&state)
  }

  /// Every queue with work (on being switched in, or after a poll came due).
  func runEveryQueue(_ state: inout State) {
    for index in state.queues.indices { run(index, &state) }
    runBlockedQueuesAfterWrites(&state)
  }

  /// Blocked queues look again while other queues keep writing what they may wait for.
  func runBlockedQueuesAfterWrites(_ state: inout State) {
    var rounds = 0
    while state.wroteSomething && rounds < state.queues.count {
      state.wroteSomething = false
      rounds += 1
      for index in state.queues.indices where state.queues[index].waitingFor != nil { run(index, &state) }
    }
    state.wroteSomething = false
  }

  func hang(_ index: Int, _ reason: String, _ state: inout State) {
    state.queues[index].hung = true
    state.hangs.append(Hang(time: now, doorbell: state.queues[index].doorbell, reason: reason))
  }

  /// Now on the scheduler's time line (zero without one).
  var now: Duration { scheduler?.elapsed ?? .zero }
}
