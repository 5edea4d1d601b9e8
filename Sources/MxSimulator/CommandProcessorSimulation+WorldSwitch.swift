/// The CP's side of a world switch (pf-host-facts §5): IDLE_GPU stops it at a preemption point,
/// SAVE_GPU_STATE writes what resuming needs into an image the host keeps in the VF's hardware
/// CSA, LOAD_GPU_STATE puts it back, RUN_GPU (`setRunning(true)`) goes on from there.
///
/// Hardware facts: the commands and their order (`world_switch_divided`); that IDLE preempts
/// GFX work inside an indirect buffer only where the driver set PRE_ENB
/// (`gfx_v8_0_ring_emit_ib_gfx` sets it on a VF's preemptible IBs, for mid-command-buffer
/// preemption) and otherwise at the buffer's end; that the host keeps the saved state in its own
/// region per function (§5.2). The model's: the image's layout (the real one is RLC-V firmware's
/// and not public); that compute queues stop at any packet boundary; that what is saved is each
/// queue's read pointer and place in its indirect buffer and the context and SH registers —
/// what the model needs to resume — while write pointers are the driver's (doorbells, polled
/// memory) and are read again, not restored.
extension CommandProcessorSimulation {
  /// Where the CP's "now idle" goes: the host's IDLE_GPU poll.
  public func connectIdle(_ sink: @escaping @Sendable () -> Void) {
    idleSink.withLock { $0 = Connection(call: { _ in sink() }) }
  }

  /// IDLE_GPU: the CP stops at the next preemption point, at once unless a queue is inside a
  /// non-preemptible indirect buffer — that one runs to the buffer's end first, however long it
  /// waits on the way. `connectIdle`'s sink hears when the CP is idle; a CP that is not running
  /// is idle already.
  public func idle() {
    update { state in
      if state.running {
        state.idling = true
      } else {
        state.becameIdle = true
      }
    }
  }

  /// Whether IDLE_GPU is still waiting for a queue to leave a non-preemptible buffer.
  public var isIdling: Bool { state.withLock { $0.idling } }

  /// Where IDLE_GPU stopped a queue that had work left.
  public struct Preemption: Equatable, Sendable {
    public var time: Duration
    public var doorbell: UInt32
    /// The indirect buffer the queue was stopped in, at the dword it goes on from; nil when it
    /// was stopped between ring packets.
    public var indirectBuffer: IndirectBufferPosition?
    /// Ring dwords still to run.
    public var ringDwordsLeft: Int
  }

  /// Where IDLE_GPU stopped queues (the newest ones).
  public var preemptions: [Preemption] { state.withLock { $0.preemptions.entries } }

  /// Idle once no queue that can still run is inside a non-preemptible buffer.
  func settleIdle(_ state: inout State) {
    let live = state.queues.filter { !$0.hung && !$0.retired }
    guard !live.contains(where: { $0.indirectBuffer?.preemptible == false }) else { return }
    for queue in live where queue.indirectBuffer != nil || queue.readPointer != queue.writePointer {
      let left = Int((queue.writePointer &- queue.readPointer) & UInt64(queue.ringDwords - 1))
      state.preemptions.append(
        Preemption(time: now, doorbell: queue.doorbell, indirectBuffer: queue.indirectBuffer, ringDwordsLeft: left))
    }
    state.idling = false
    state.running = false
    state.becameIdle = true
  }

  /// SAVE_GPU_STATE of an idle CP: the image of every queue's progress and of the context and SH
  /// registers, which the CP then no longer holds (the GPU is the next VF's).
  public func saveContext() -> [UInt32] {
    state.withLock { state in
      var image = ContextImage()
      for index in state.queues.indices where !state.queues[index].retired {
        image.queues.append(ContextImage.QueueProgress(state.queues[index]))
        state.queues[index].readPointer = 0
        state.queues[index].indirectBuffer = nil
        state.queues[index].waitingFor = nil
      }
      // In offset order, without sorting: a switch every few milliseconds saves a thousand.
      for range in ContextImage.savedRegisters {
        for offset in range {
          if let value = state.registers.removeValue(forKey: offset) { image.registers.append((offset, value)) }
        }
      }
      image.constantEngine = state.graphics.constantEngine
      state.graphics.constantEngine = ConstantEngine()
      state.contextSaved = true
      return image.dwords
    }
  }

  /// LOAD_GPU_STATE: each queue's progress and the registers back from `image`, as
  /// `saveContext` wrote it; an empty image (a VF never saved since its INIT) loads nothing.
  /// Whether the image was whole.
  @discardableResult
  public func loadContext(_ image: [UInt32]) -> Bool {
    guard let decoded = image.isEmpty ? ContextImage() : ContextImage(dwords: image) else { return false }
    state.withLock { state in
      state.contextSaved = false
      for progress in decoded.queues {
        guard
          let index = state.queues.firstIndex(where: {
            !$0.retired && $0.me == progress.me && $0.pipe == progress.pipe && $0.queue == progress.queue
          })
        else { continue }
        state.queues[index].readPointer = progress.readPointer
        state.queues[index].indirectBuffer = progress.indirectBuffer
      }
      for (offset, value) in decoded.registers { state.registers[offset] = value }
      state.graphics.constantEngine = decoded.constantEngine
    }
    return true
  }
}

/// What SAVE_GPU_STATE writes for one VF, as dwords (the model's layout): a version, the queue
/// count, 12 dwords per queue (ME, pipe, queue, read pointer low and high, then the indirect
/// buffer: flags — bit 0 present, bit 1 preemptible — address low and high, size, offset, VMID,
/// and a reserved dword), the register count, and offset–value pairs; then the constant engine:
/// its counter, the DE's counter, the count of its buffers and 6 dwords for each (flags, address
/// low and high, size, offset, VMID), the count of CE RAM dwords (0 for a RAM never written) and
/// the RAM.
struct ContextImage {
  typealias Buffer = CommandProcessorSimulation.IndirectBufferPosition

  struct QueueProgress {
    var me, pipe, queue: UInt32
    var readPointer: UInt64
    var indirectBuffer: Buffer?

    init(_ queue: CommandProcessorSimulation.Queue) {
      (me, pipe, self.queue) = (queue.me, queue.pipe, queue.queue)
      readPointer = queue.readPointer
      indirectBuffer = queue.indirectBuffer
    }

    init(me: UInt32, pipe: UInt32, queue: UInt32, readPointer: UInt64, buffer: Buffer?) {
      (self.me, self.pipe, self.queue, self.readPointer, indirectBuffer) = (me, pipe, queue, readPointer, buffer)
    }
  }

  static let version: UInt32 = 2
  /// The registers a VF's context holds on the GPU: context (0xA000) and SH (0x2C00) registers.
  static let savedRegisters: [Range<UInt32>] = [0x2C00..<0x3000, 0xA000..<0xA400]

  var queues: [QueueProgress] = []
  var registers: [(offset: UInt32, value: UInt32)] = []
  var constantEngine = CommandProcessorSimulation.ConstantEngine()

  init() {}

  var dwords: [UInt32] {
    var out: [UInt32] = [Self.version, UInt32(queues.count)]
    let engine = constantEngine
    out.reserveCapacity(8 + queues.count * 12 + registers.count * 2 + engine.buffers.count * 6 + engine.ram.count)
    for queue in queues {
      out += [queue.me, queue.pipe, queue.queue, UInt32(truncatingIfNeeded: queue.readPointer)]
      out.append(UInt32(queue.readPointer >> 32))
      Self.append(queue.indirectBuffer, to: &out)
      out.append(0)
    }
    out.append(UInt32(registers.count))
    for (offset, value) in registers { out += [offset, value] }
    out += [engine.ceCounter, engine.deCounter, UInt32(engine.buffers.count)]
    for buffer in engine.buffers { Self.append(buffer, to: &out) }
    out.append(UInt32(engine.ram.count))
    out += engine.ram
    return out
  }

  /// Six dwords: flags (bit 0 present, bit 1 preemptible), address low and high, size, offset,
  /// VMID.
  private static func append(_ buffer: Buffer?, to out: inout [UInt32]) {
    let flags: UInt32 = buffer.map { $0.preemptible ? 3 : 1 } ?? 0
    out += [flags, UInt32(truncatingIfNeeded: buffer?.address ?? 0), UInt32((buffer?.address ?? 0) >> 32)]
    out += [UInt32(buffer?.dwords ?? 0), UInt32(buffer?.offset ?? 0), buffer?.vmid ?? 0]
  }

  /// The image `dwords` holds, or nil if it is not one (wrong version, cut short, too long, a
  /// CE RAM of another size).
  init?(dwords: [UInt32]) {
    var reader = Reader(dwords: dwords)
    guard reader.next() == Self.version, let queueCount = reader.next() else { return nil }
    for _ in 0..<queueCount {
      guard let ids = reader.next(3), let pointer = reader.next(2), let buffer = reader.buffer(), reader.next() != nil
      else { return nil }
      let readPointer = UInt64(pointer[1]) << 32 | UInt64(pointer[0])
      queues.append(QueueProgress(me: ids[0], pipe: ids[1], queue: ids[2], readPointer: readPointer, buffer: buffer))
    }
    guard let registerCount = reader.next() else { return nil }
    for _ in 0..<registerCount {
      guard let pair = reader.next(2) else { return nil }
      registers.append((pair[0], pair[1]))
    }
    guard let counters = reader.next(2), let bufferCount = reader.next() else { return nil }
    (constantEngine.ceCounter, constantEngine.deCounter) = (counters[0], counters[1])
    for _ in 0..<bufferCount {
      guard let buffer = reader.buffer(), let buffer else { return nil }
      constantEngine.buffers.append(buffer)
    }
    guard let ramCount = reader.next(),
      [0, CommandProcessorSimulation.ConstantEngine.ramDwords].contains(Int(ramCount)),
      let ram = reader.next(Int(ramCount)), reader.atEnd
    else { return nil }
    constantEngine.ram = ram
  }

  /// Reads an image front to back; nil once it runs out.
  private struct Reader {
    let dwords: [UInt32]
    var position = 0

    var atEnd: Bool { position == dwords.count }

    mutating func next() -> UInt32? { next(1)?.first }

    mutating func next(_ count: Int) -> [UInt32]? {
      guard count <= dwords.count - position else { return nil }
      defer { position += count }
      return Array(dwords[position..<position + count])
    }

    /// An indirect buffer's six dwords: nil when cut short, .some(nil) when absent.
    mutating func buffer() -> Buffer?? {
      guard let b = next(6) else { return nil }
      guard b[0] & 1 != 0 else { return .some(nil) }
      return Buffer(
        address: UInt64(b[2]) << 32 | UInt64(b[1]), dwords: Int(b[3]), offset: Int(b[4]), vmid: b[5],
        preemptible: b[0] & 2 != 0)
    }
  }
}
