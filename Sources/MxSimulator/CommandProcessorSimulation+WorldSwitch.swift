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
    }
    return true
  }
}

/// What SAVE_GPU_STATE writes for one VF, as dwords (the model's layout): a version, the queue
/// count, 12 dwords per queue (ME, pipe, queue, read pointer low and high, then the indirect
/// buffer: flags — bit 0 present, bit 1 preemptible — address low and high, size, offset, VMID,
/// and a reserved dword), the register count, and offset–value pairs.
struct ContextImage {
  struct QueueProgress {
    var me, pipe, queue: UInt32
    var readPointer: UInt64
    var indirectBuffer: CommandProcessorSimulation.IndirectBufferPosition?

    init(_ queue: CommandProcessorSimulation.Queue) {
      (me, pipe, self.queue) = (queue.me, queue.pipe, queue.queue)
      readPointer = queue.readPointer
      indirectBuffer = queue.indirectBuffer
    }

    init(
      me: UInt32, pipe: UInt32, queue: UInt32, readPointer: UInt64,
      buffer: CommandProcessorSimulation.IndirectBufferPosition?
    ) {
      (self.me, self.pipe, self.queue, self.readPointer, indirectBuffer) = (me, pipe, queue, readPointer, buffer)
    }
  }

  static let version: UInt32 = 1
  static let queueDwords = 12
  /// The registers a VF's context holds on the GPU: context (0xA000) and SH (0x2C00) registers.
  static let savedRegisters: [Range<UInt32>] = [0x2C00..<0x3000, 0xA000..<0xA400]

  var queues: [QueueProgress] = []
  var registers: [(offset: UInt32, value: UInt32)] = []

  init() {}

  var dwords: [UInt32] {
    var out: [UInt32] = [Self.version, UInt32(queues.count)]
    out.reserveCapacity(3 + queues.count * Self.queueDwords + registers.count * 2)
    for queue in queues {
      let buffer = queue.indirectBuffer
      let flags: UInt32 = buffer.map { $0.preemptible ? 3 : 1 } ?? 0
      out += [queue.me, queue.pipe, queue.queue, UInt32(truncatingIfNeeded: queue.readPointer)]
      out += [UInt32(queue.readPointer >> 32), flags]
      out += [UInt32(truncatingIfNeeded: buffer?.address ?? 0), UInt32((buffer?.address ?? 0) >> 32)]
      out += [UInt32(buffer?.dwords ?? 0), UInt32(buffer?.offset ?? 0), buffer?.vmid ?? 0, 0]
    }
    out.append(UInt32(registers.count))
    for (offset, value) in registers { out += [offset, value] }
    return out
  }

  /// The image `dwords` holds, or nil if it is not one (wrong version, cut short).
  init?(dwords: [UInt32]) {
    guard dwords.count >= 3, dwords[0] == Self.version else { return nil }
    let queueCount = Int(dwords[1])
    let registersAt = 2 + queueCount * Self.queueDwords
    guard dwords.count > registersAt, dwords.count == registersAt + 1 + 2 * Int(dwords[registersAt]) else {
      return nil
    }
    for index in 0..<queueCount {
      let q = Array(dwords[(2 + index * Self.queueDwords)..<(2 + (index + 1) * Self.queueDwords)])
      let buffer =
        q[5] & 1 == 0
        ? nil
        : CommandProcessorSimulation.IndirectBufferPosition(
          address: UInt64(q[7]) << 32 | UInt64(q[6]), dwords: Int(q[8]), offset: Int(q[9]), vmid: q[10],
          preemptible: q[5] & 2 != 0)
      queues.append(
        QueueProgress(me: q[0], pipe: q[1], queue: q[2], readPointer: UInt64(q[4]) << 32 | UInt64(q[3]), buffer: buffer)
      )
    }
    for pair in 0..<Int(dwords[registersAt]) {
      registers.append((dwords[registersAt + 1 + 2 * pair], dwords[registersAt + 2 + 2 * pair]))
    }
  }
}
